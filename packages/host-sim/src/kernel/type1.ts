/**
 * One vfio_iommu: the type1 IOMMU backend instance a container gets from
 * VFIO_SET_IOMMU (drivers/vfio/vfio_iommu_type1.c). It keeps the container's
 * DMA mappings (struct vfio_dma in an rb-tree; here a DmaMappingTable), the
 * dma_avail budget (dma_entry_limit), the valid IOVA ranges, and pins the
 * mapped pages against the mapping process's RLIMIT_MEMLOCK. The checks run
 * in the kernel's order so the first failing rule decides the errno.
 */
import {
  DmaMappingTable,
  type DmaMapping,
  type DmaMapRequest,
  type DmaUnmapRequest,
  type IommuInfo,
  type IovaRange,
} from '@vfioscope/host';
import {
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_VADDR,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
  VFIO_DMA_UNMAP_FLAG_VADDR,
  VFIO_IOMMU_INFO_CAPS,
  VFIO_IOMMU_INFO_PGSIZES,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1_NESTING_IOMMU,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import type { PageBacking, ProcessAddressSpace } from './address-space.ts';
import { fail, hex } from './fail.ts';
import { KERN_WARNING, type SimKernelLog, memlockExceededLine } from './kernel-log.ts';
import { TYPE1_MIN_PAGE, TYPE1_PGSIZE_BITMAP, U64_MAX, isU64, validIovaRanges } from './type1-rules.ts';

const MAP = 'VFIO_IOMMU_MAP_DMA';
const UNMAP = 'VFIO_IOMMU_UNMAP_DMA';

/** What a struct vfio_dma holds besides iova/size/vaddr/prot. */
export interface PinnedRange {
  /** the pinned pages: they stay with the mapping even if the user munmaps */
  backing: PageBacking;
  offset: bigint;
  /** the mm the pages are charged to (dma->mm) */
  space: ProcessAddressSpace;
  /** VFIO_DMA_UNMAP_FLAG_VADDR was used and no new vaddr given yet */
  vaddrInvalid: boolean;
}

export type Type1Mapping = DmaMapping<PinnedRange>;

export class Type1Iommu {
  readonly table = new DmaMappingTable<PinnedRange>();
  readonly v2: boolean;
  dmaAvail: number;
  readonly iovaRanges: IovaRange[] = validIovaRanges();
  private vaddrInvalidCount = 0;

  /** vfio_iommu_type1_open(): ENODEV-free types only; others were filtered by CHECK_EXTENSION */
  constructor(
    type: number,
    dmaEntryLimit: number,
    private readonly kernelLog?: SimKernelLog,
  ) {
    if (type !== VFIO_TYPE1_IOMMU && type !== VFIO_TYPE1v2_IOMMU && type !== VFIO_TYPE1_NESTING_IOMMU) {
      fail('EINVAL', 'VFIO_SET_IOMMU', `type1 cannot be opened as IOMMU type ${type}`);
    }
    this.v2 = type !== VFIO_TYPE1_IOMMU;
    this.dmaAvail = dmaEntryLimit;
  }

  map(req: DmaMapRequest, space: ProcessAddressSpace, ctx: { container: number }): void {
    const { iova, size, vaddr, flags } = req;
    const mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;
    if (!Number.isInteger(flags) || flags < 0 || flags & ~mask)
      fail('EINVAL', MAP, `unknown flags ${hex(flags)}`, { ...ctx, field: 'flags' });
    if (!isU64(iova) || !isU64(size) || !isU64(vaddr)) fail('EINVAL', MAP, 'iova, size and vaddr are 64-bit unsigned', ctx);
    const setVaddr = (flags & VFIO_DMA_MAP_FLAG_VADDR) !== 0;
    const prot = flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
    if ((prot && setVaddr) || (!prot && !setVaddr)) {
      fail('EINVAL', MAP, 'READ and/or WRITE is required (and excluded with VADDR)', { ...ctx, field: 'flags' });
    }
    const pg = TYPE1_MIN_PAGE;
    if (size === 0n || (size | iova | vaddr) & (pg - 1n)) {
      fail('EINVAL', MAP, `size must be nonzero and iova, size and vaddr aligned to ${hex(pg)}`, {
        ...ctx,
        field: size === 0n ? 'size' : 'iova',
      });
    }
    if (iova + size - 1n > U64_MAX || vaddr + size - 1n > U64_MAX)
      fail('EINVAL', MAP, 'iova or vaddr range wraps', { ...ctx, field: 'size' });

    const clash = this.table.firstOverlap(iova, size);
    if (setVaddr) {
      this.updateVaddr(clash, req, space, ctx);
      return;
    }
    if (clash) fail('EEXIST', MAP, `${hex(iova)}+${hex(size)} overlaps the mapping at ${hex(clash.iova)}+${hex(clash.size)}`, ctx);
    if (this.dmaAvail === 0) fail('ENOSPC', MAP, 'dma_entry_limit reached', ctx);
    if (!this.iovaValid(iova, iova + size - 1n)) {
      fail('EINVAL', MAP, `${hex(iova)}–${hex(iova + size - 1n)} is not inside one valid IOVA range`, { ...ctx, field: 'iova' });
    }
    const pages = Number(size / BigInt(space.pageSize));
    this.pin(space, vaddr, pages, ctx);
    const at = space.resolve(vaddr)!;
    this.table.insert({ iova, size, vaddr, flags: prot, pages, data: { ...at, space, vaddrInvalid: false } });
    this.dmaAvail--;
  }

  /** vfio_pin_pages_remote(): page by page, EFAULT at an unmapped page, ENOMEM past the limit */
  private pin(space: ProcessAddressSpace, vaddr: bigint, pages: number, ctx: { container: number }): void {
    const mapped = space.mappedPrefixPages(vaddr, pages);
    const room = Math.max(0, space.lockLimitPages - space.lockedPages);
    // the first page that fails decides: its pfn lookup (EFAULT) comes before its accounting (ENOMEM)
    if (Math.min(mapped, room) < pages) {
      if (mapped <= room) {
        fail('EFAULT', MAP, `vaddr ${hex(vaddr + BigInt(mapped * space.pageSize))} is not mapped memory of this process`, {
          ...ctx,
          field: 'vaddr',
        });
      }
      // the kernel warns once per refused pin, with the limit in bytes
      if (space.memlockLimit !== null) this.kernelLog?.printk(KERN_WARNING, memlockExceededLine(space.memlockLimit));
      fail(
        'ENOMEM',
        MAP,
        `pinning ${pages} pages exceeds RLIMIT_MEMLOCK (${space.memlockLimit} bytes; ${space.lockedPages} pages already locked)`,
        ctx,
      );
    }
    space.lockedPages += pages;
  }

  private updateVaddr(dma: Type1Mapping | undefined, req: DmaMapRequest, space: ProcessAddressSpace, ctx: { container: number }): void {
    if (!dma) fail('ENOENT', MAP, `no mapping at ${hex(req.iova)}`, ctx);
    if (!dma.data!.vaddrInvalid || dma.iova !== req.iova || dma.size !== req.size) {
      fail('EINVAL', MAP, 'VADDR update must match an invalidated mapping exactly', ctx);
    }
    const at = space.resolve(req.vaddr);
    if (!at) fail('EFAULT', MAP, `vaddr ${hex(req.vaddr)} is not mapped memory of this process`, ctx);
    dma.vaddr = req.vaddr;
    dma.data = { ...dma.data!, ...at, vaddrInvalid: false };
    this.vaddrInvalidCount--;
  }

  private iovaValid(start: bigint, end: bigint): boolean {
    return this.iovaRanges.length === 0 || this.iovaRanges.some((r) => start >= r.start && end <= r.end);
  }

  unmap(req: DmaUnmapRequest, ctx: { container: number }): bigint {
    const { flags } = req;
    const mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
    if (!Number.isInteger(flags) || flags < 0 || flags & ~mask)
      fail('EINVAL', UNMAP, `unknown flags ${hex(flags)}`, { ...ctx, field: 'flags' });
    if (flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
      // with ALL/VADDR it is refused outright; alone it needs dirty tracking, which the sim never starts
      fail('EINVAL', UNMAP, 'dirty page tracking is not enabled', { ...ctx, field: 'flags' });
    }
    if (!isU64(req.iova) || !isU64(req.size)) fail('EINVAL', UNMAP, 'iova and size are 64-bit unsigned', ctx);
    const all = (flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
    const invalidateVaddr = (flags & VFIO_DMA_UNMAP_FLAG_VADDR) !== 0;
    const iova = req.iova;
    let size = req.size;
    const pg = TYPE1_MIN_PAGE;
    if (iova & (pg - 1n)) fail('EINVAL', UNMAP, `iova ${hex(iova)} is not page aligned`, { ...ctx, field: 'iova' });
    if (all) {
      if (iova || size) fail('EINVAL', UNMAP, 'UNMAP_ALL takes iova 0 and size 0', { ...ctx, field: iova ? 'iova' : 'size' });
      size = U64_MAX - iova + 1n;
    } else if (size === 0n || size & (pg - 1n) || iova + size - 1n > U64_MAX) {
      fail('EINVAL', UNMAP, `size ${hex(size)} must be nonzero, page aligned and not wrap`, { ...ctx, field: 'size' });
    }
    const last = iova + size - 1n;
    if (this.v2 && !all) {
      // v2 never bisects a mapping: the range must start and end on mapping boundaries
      const head = this.table.find(iova);
      if (head && head.iova !== iova)
        fail('EINVAL', UNMAP, `${hex(iova)} is inside the mapping at ${hex(head.iova)}`, { ...ctx, field: 'iova' });
      const tail = this.table.find(last);
      if (tail && tail.iova !== last && tail.iova + tail.size !== iova + size) {
        fail('EINVAL', UNMAP, `the range ends inside the mapping at ${hex(tail.iova)}+${hex(tail.size)}`, { ...ctx, field: 'size' });
      }
    }
    const hit = this.table.overlapping(iova, size);
    let unmapped = 0n;
    if (invalidateVaddr) {
      if (hit.some((d) => d.data!.vaddrInvalid)) fail('EINVAL', UNMAP, 'a mapping in the range already has an invalid vaddr', ctx);
      for (const d of hit) {
        d.data!.vaddrInvalid = true;
        this.vaddrInvalidCount++;
        unmapped += d.size;
      }
      return unmapped;
    }
    for (const d of hit) {
      // v1 keeps compatibility: a range starting inside a mapping unmaps nothing from there on
      if (!this.v2 && iova > d.iova) break;
      unmapped += d.size;
      this.remove(d);
    }
    return unmapped;
  }

  private remove(d: Type1Mapping): void {
    this.table.remove(d.iova);
    d.data!.space.lockedPages -= d.pages;
    if (d.data!.vaddrInvalid) this.vaddrInvalidCount--;
    this.dmaAvail++;
  }

  /** vfio_iommu_type1_release(): the last group left the container */
  release(): void {
    for (const d of this.table.all()) this.remove(d);
  }

  info(): IommuInfo {
    return {
      flags: VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
      iovaPgsizes: TYPE1_PGSIZE_BITMAP,
      iovaRanges: this.iovaRanges.map((r) => ({ ...r })),
      dmaAvail: this.dmaAvail,
    };
  }

  /**
   * A device's bus-master access through the IOMMU: IOVA → mapping → pinned
   * pages. `deviceWrites` needs VFIO_DMA_MAP_FLAG_WRITE (the device writes
   * memory), a read needs READ. Unmapped or forbidden → a DMAR fault.
   */
  translate(iova: bigint, length: number, deviceWrites: boolean): { backing: PageBacking; offset: bigint; n: number }[] {
    const need = deviceWrites ? VFIO_DMA_MAP_FLAG_WRITE : VFIO_DMA_MAP_FLAG_READ;
    const out: { backing: PageBacking; offset: bigint; n: number }[] = [];
    let done = 0;
    while (done < length) {
      const at = iova + BigInt(done);
      const m = this.table.find(at);
      if (!m) fail('EFAULT', 'DMA', `DMAR fault: IOVA ${hex(at)} is not mapped`, { field: 'iova' });
      if (!(m.flags & need))
        fail('EFAULT', 'DMA', `DMAR fault: IOVA ${hex(at)} is not mapped for device ${deviceWrites ? 'write' : 'read'}`);
      const n = Math.min(length - done, Number(m.iova + m.size - at));
      out.push({ backing: m.data!.backing, offset: m.data!.offset + (at - m.iova), n });
      done += n;
    }
    return out;
  }

  get hasInvalidVaddr(): boolean {
    return this.vaddrInvalidCount > 0;
  }
}
