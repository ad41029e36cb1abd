/**
 * The legacy container ioctls as iommufd answers them when it serves
 * /dev/vfio/vfio (drivers/iommu/iommufd/vfio_compat.c, Linux 6.12,
 * CONFIG_IOMMUFD_VFIO_CONTAINER). There is no IOMMU "type" to set: the
 * container is an iommufd context whose compat IOAS is made when the first
 * group joins (VFIO_GROUP_SET_CONTAINER), and every ioctl works on that IOAS
 * — ENODEV until it exists. Measured on 6.12 (research/iommufd-6.12.md,
 * "iommufd compat vs type1"):
 *
 *  - SET_IOMMU before any group: ENODEV; GET_INFO, MAP_DMA and GET_DEVICE_FD
 *    before SET_IOMMU succeed; SET_IOMMU twice succeeds; types other than
 *    TYPE1 / TYPE1v2 (SPAPR, NOIOMMU) EINVAL;
 *  - CHECK_EXTENSION: NESTING 0; DMA_CC fails (the probe's −1) before a group
 *    gave the container its IOAS — ENODEV by the source; 1 with no domain,
 *    0 once a device is attached (VT-d in QEMU has no snoop control);
 *  - GET_INFO: dma_avail always 4294967295 (ENOSPC cannot happen); before a
 *    device is attached the whole 64-bit range and page sizes
 *    0xfffffffffffff000;
 *  - map wrap EOVERFLOW; bisecting unmap ENOENT; an unmap that finds nothing
 *    (an unaligned one, say) succeeds with 0 bytes; the VADDR flags EINVAL.
 *
 * TYPE1 (v1) is emulated by disabling large pages: its unmaps cut areas at
 * the range's edges so part of a mapping can go (iopt_cut_iova).
 */
import type { DmaMapRequest, DmaUnmapRequest, IommuInfo } from '@vfioscope/host';
import {
  IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_MAP_WRITEABLE,
  VFIO_DMA_CC_IOMMU,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_IOMMU_INFO_CAPS,
  VFIO_IOMMU_INFO_PGSIZES,
  VFIO_NOIOMMU_IOMMU,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1v2_IOMMU,
  VFIO_UNMAP_ALL,
} from '@vfioscope/uapi';
import { fail, hex } from './fail.ts';
import type { IoasObject, IommufdCtx } from './iommufd.ts';
import { U64_MAX, isU64 } from './type1-rules.ts';

/** iommufd's VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: U32_MAX, "based on the cgroup's memory limit" */
export const COMPAT_DMA_AVAIL = 0xffff_ffff;
const PAGE = 0x1000n;
const PAGE_MASK = U64_MAX & ~(PAGE - 1n);

const ctxOf = (ctx: IommufdCtx) => ({ container: ctx.fd });

/** get_compat_ioas(): ENODEV until a group gave the container its IOAS */
function compatIoas(ctx: IommufdCtx, op: string): IoasObject {
  if (!ctx.vfioIoas) fail('ENODEV', op, 'the container has no IOAS yet: attach a group first', ctxOf(ctx));
  return ctx.vfioIoas;
}

/** VFIO_CHECK_EXTENSION (iommufd_vfio_check_extension) */
export function compatCheckExtension(ctx: IommufdCtx, ext: number): number {
  switch (ext) {
    case VFIO_TYPE1_IOMMU:
    case VFIO_TYPE1v2_IOMMU:
    case VFIO_UNMAP_ALL:
      return 1;
    case VFIO_NOIOMMU_IOMMU:
      // IS_ENABLED(CONFIG_VFIO_NOIOMMU): off in the bed's config
      return 0;
    case VFIO_DMA_CC_IOMMU: {
      const ioas = compatIoas(ctx, 'VFIO_CHECK_EXTENSION');
      return [...ioas.hwpts].every((h) => h.enforceCacheCoherency) ? 1 : 0;
    }
    default:
      // TYPE1_NESTING ("obsolete"), UPDATE_VADDR ("hard to see how this could be implemented safely"), SPAPR
      return 0;
  }
}

/** VFIO_SET_IOMMU (iommufd_vfio_set_iommu): the type is checked before the IOAS */
export function compatSetIommu(ctx: IommufdCtx, type: number): void {
  const op = 'VFIO_SET_IOMMU';
  if (type !== VFIO_TYPE1_IOMMU && type !== VFIO_TYPE1v2_IOMMU) {
    fail('EINVAL', op, `iommufd emulates only TYPE1 and TYPE1v2, not type ${type}`, { ...ctxOf(ctx), field: 'type' });
  }
  const ioas = compatIoas(ctx, op);
  if (type === VFIO_TYPE1_IOMMU) ioas.iopt.setDisableLargePages(op, ctxOf(ctx));
}

/** VFIO_IOMMU_GET_INFO (iommufd_vfio_iommu_get_info) */
export function compatInfo(ctx: IommufdCtx): IommuInfo {
  const ioas = compatIoas(ctx, 'VFIO_IOMMU_GET_INFO');
  // iommufd_get_pagesizes(): the domains' common sizes, sub-page bits folded into PAGE_SIZE
  let pgsizes = ioas.iopt.domainPgsizes() ?? U64_MAX;
  if (pgsizes & ~PAGE_MASK) pgsizes = (pgsizes & PAGE_MASK) | PAGE;
  if (ioas.iopt.iovaAlignment > pgsizes) pgsizes = ioas.iopt.iovaAlignment;
  return {
    flags: VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
    iovaPgsizes: pgsizes,
    iovaRanges: ioas.iopt.allowedRanges(),
    dmaAvail: COMPAT_DMA_AVAIL,
  };
}

/** VFIO_IOMMU_MAP_DMA (iommufd_vfio_map_dma): flags, the IOAS, then iopt_map_user_pages at the fixed IOVA */
export function compatMap(ctx: IommufdCtx, req: DmaMapRequest): void {
  const op = 'VFIO_IOMMU_MAP_DMA';
  const supported = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
  if (!Number.isInteger(req.flags) || req.flags < 0 || req.flags & ~supported) {
    fail('EINVAL', op, `flags ${hex(req.flags)}: iommufd supports READ and WRITE only (no VADDR)`, { ...ctxOf(ctx), field: 'flags' });
  }
  const ioas = compatIoas(ctx, op);
  if (!isU64(req.iova) || !isU64(req.size) || !isU64(req.vaddr)) fail('EINVAL', op, 'iova, size and vaddr are 64-bit unsigned', ctxOf(ctx));
  const prot =
    (req.flags & VFIO_DMA_MAP_FLAG_READ ? IOMMU_IOAS_MAP_READABLE : 0) |
    (req.flags & VFIO_DMA_MAP_FLAG_WRITE ? IOMMU_IOAS_MAP_WRITEABLE : 0);
  ioas.iopt.mapUser(req.iova, req.size, req.vaddr, prot, ctx.account, op, ctxOf(ctx));
}

/** VFIO_IOMMU_UNMAP_DMA (iommufd_vfio_unmap_dma): resolves to the bytes unmapped, 0 when nothing was there */
export function compatUnmap(ctx: IommufdCtx, req: DmaUnmapRequest): bigint {
  const op = 'VFIO_IOMMU_UNMAP_DMA';
  if (!Number.isInteger(req.flags) || req.flags < 0 || req.flags & ~VFIO_DMA_UNMAP_FLAG_ALL) {
    fail('EINVAL', op, `flags ${hex(req.flags)}: iommufd supports UNMAP_ALL only (no VADDR, no dirty bitmap)`, {
      ...ctxOf(ctx),
      field: 'flags',
    });
  }
  const iopt = compatIoas(ctx, op).iopt;
  if (!isU64(req.iova) || !isU64(req.size)) fail('EINVAL', op, 'iova and size are 64-bit unsigned', ctxOf(ctx));
  if (req.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
    if (req.iova || req.size) fail('EINVAL', op, 'UNMAP_ALL takes iova 0 and size 0', { ...ctxOf(ctx), field: req.iova ? 'iova' : 'size' });
    return iopt.unmapAll();
  }
  if (iopt.disableLargePages) {
    // cut at the range's last byte and the byte before it (u64 arithmetic, as the kernel's unsigned long)
    const wrap = (v: bigint) => v & U64_MAX;
    const points = [wrap(req.iova + req.size - 1n)];
    if (req.iova) points.push(req.iova - 1n);
    iopt.cut(points, op, ctxOf(ctx));
  }
  // iopt_unmap_iova()
  if (req.size === 0n) fail('EINVAL', op, 'size 0', { ...ctxOf(ctx), field: 'size' });
  const last = req.iova + req.size - 1n;
  if (last > U64_MAX) fail('EOVERFLOW', op, `${hex(req.iova)} + ${hex(req.size)} wraps past 2^64`, { ...ctxOf(ctx), field: 'size' });
  return iopt.unmapRange(req.iova, last, op, ctxOf(ctx));
}
