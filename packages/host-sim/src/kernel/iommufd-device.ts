/**
 * A VFIO device bound to an iommufd context and attached to an IOAS
 * (drivers/iommu/iommufd/device.c, drivers/vfio/iommufd.c, Linux 6.12) —
 * the common part of the cdev path (cdev.ts) and the compat container's
 * group path (vfio-group.ts):
 *
 *  - bind claims DMA ownership of the device's IOMMU group for the context
 *    (iommu_device_claim_dma_owner). A group is "not viable" because a
 *    kernel driver on one of its devices holds the group's owner count with
 *    no owner (iommu_device_use_default_domain at probe); a claim by another
 *    owner fails with EPERM ("if (group->owner_cnt) { if (group->owner !=
 *    owner) { ret = -EPERM; …"): searched in drivers/iommu/iommu.c,
 *    iommu_device_claim_dma_owner(), which iommufd_device_bind() calls. The
 *    legacy path answers EPERM for the same group at SET_CONTAINER
 *    (iommu_group_claim_dma_owner), so both paths agree — a case the bed
 *    should confirm on the cdev path (the research note has no row for it).
 *  - attach to an IOAS reuses the IOAS's automatic HWPT or makes one
 *    (iommufd_device_auto_get_domain with immediate attach): the device's
 *    reserved regions (the x86 MSI window) are reserved first, then the new
 *    domain is added to the io_pagetable (alignment, aperture, pinning).
 *    Mappings in the way answer EADDRINUSE. Attach to an HWPT id uses it;
 *    to an id that is neither, EINVAL; to no object, ENOENT.
 *  - attach of an attached device replaces its domain (the whole group
 *    moves); detach returns the group to the blocking domain: its DMA faults.
 */
import type { IovaRange } from '@vfioscope/host';
import { fail } from './fail.ts';
import { Hwpt, type IoasObject, type IommufdCtx, IommufdDevice } from './iommufd.ts';
import type { IommuDomain } from './ioas.ts';
import type { SimPciFunction } from './pci-function.ts';
import { TYPE1_PGSIZE_BITMAP, VTD_APERTURE, X86_MSI_WINDOW } from './type1-rules.ts';
import type { SimGroup } from './vfio-group.ts';

/** What intel-iommu gives a paging domain on the q35 bed: the page sizes type1 reports, a 39-bit aperture. */
function vtdDomain(): IommuDomain {
  return { pgsizeBitmap: TYPE1_PGSIZE_BITMAP, aperture: { ...VTD_APERTURE } };
}

/** iommu_get_resv_regions() of a PCI device behind VT-d: the interrupt window */
const DEVICE_RESERVED: IovaRange[] = [X86_MSI_WINDOW];

/**
 * QEMU's intel-iommu has no snoop control (its "snoop-control" property is
 * off by default), so a domain cannot enforce cache coherency and the compat
 * container's VFIO_DMA_CC_IOMMU answers 0 once a device is attached.
 */
const VTD_ENFORCES_CACHE_COHERENCY = false;

/** iommu_device_claim_dma_owner(dev, ictx) */
function claimDmaOwner(g: SimGroup, ctx: IommufdCtx, op: string, bdf: string): void {
  const blockers = g.blockers();
  if (blockers.length) {
    fail('EPERM', op, `group ${g.id} is not viable: ${blockers.map((b) => `${b.bdf} on ${b.driver}`).join(', ')} own its DMA`, {
      device: bdf,
      group: g.id,
    });
  }
  const other = g.container
    ? `container ${g.container.id}`
    : g.holder?.kind === 'process'
      ? `pid ${g.holder.pid}`
      : g.dmaOwner && g.dmaOwner.ctx !== ctx
        ? `iommufd ${g.dmaOwner.ctx.fd}`
        : null;
  if (other) fail('EPERM', op, `the DMA of group ${g.id} is owned by ${other}`, { device: bdf, group: g.id });
  if (g.dmaOwner) g.dmaOwner.count++;
  else g.dmaOwner = { ctx, count: 1 };
}

function releaseDmaOwner(g: SimGroup): void {
  if (g.dmaOwner && --g.dmaOwner.count === 0) g.dmaOwner = null;
}

/** iommufd_device_bind(): a new device object owning the group's DMA for `ctx` */
export function bindDevice(ctx: IommufdCtx, fn: SimPciFunction, g: SimGroup, op: string): IommufdDevice {
  claimDmaOwner(g, ctx, op, fn.bdf);
  const idev = new IommufdDevice(ctx.allocId(), ctx, fn, g);
  ctx.objects.set(idev.id, idev);
  return idev;
}

/** iommufd_device_unbind(): detach, give the group's DMA back, and drop the context reference */
export function unbindDevice(idev: IommufdDevice): void {
  detachDevice(idev);
  releaseDmaOwner(idev.group);
  idev.ctx.objects.delete(idev.id);
  idev.ctx.maybeRelease();
}

/** VFIO_DEVICE_ATTACH_IOMMUFD_PT / the compat attach: resolves to the HWPT id the group is attached to */
export function attachDevice(idev: IommufdDevice, ptId: number, op: string): number {
  const ctx = idev.ctx;
  const o = Number.isInteger(ptId) ? ctx.objects.get(ptId) : undefined;
  if (!o) fail('ENOENT', op, `no object ${ptId} in iommufd ${ctx.fd}`, { device: idev.fn.bdf, field: 'pt_id' });
  if (o.kind === 'device') fail('EINVAL', op, `object ${ptId} is a device, not an IOAS or HWPT`, { device: idev.fn.bdf, field: 'pt_id' });
  const ioas = o.kind === 'ioas' ? o : o.ioas;
  const existing = o.kind === 'hwpt' ? o : [...ioas.hwpts].find((h) => h.auto);
  const g = idev.group;
  const current = g.hwpt;
  if (current && existing === current) {
    // the group's domain already: a second device of the group joins it, an attached one stays
    if (!idev.hwpt) {
      reserveDeviceRegions(current.ioas, [idev], op);
      join(idev, current);
    }
    return current.id;
  }
  if (current && !idev.hwpt) {
    fail('EINVAL', op, `group ${g.id} is attached to HWPT ${current.id}; its devices share one domain`, { device: idev.fn.bdf });
  }
  // a first attach, or a replace that moves every attached device of the group
  const devices = current ? [...current.devices] : [idev];
  const target = existing ?? new Hwpt(ctx.allocId(), ioas, vtdDomain(), true, VTD_ENFORCES_CACHE_COHERENCY);
  const sameIoas = current?.ioas === target.ioas;
  if (!sameIoas) reserveDeviceRegions(target.ioas, devices, op);
  if (!existing) {
    try {
      target.ioas.iopt.addDomain(target.domain, op, { device: idev.fn.bdf });
    } catch (e) {
      if (!sameIoas) for (const d of devices) target.ioas.iopt.removeReserved(d);
      throw e;
    }
    ctx.objects.set(target.id, target);
    ioas.hwpts.add(target);
  }
  for (const d of devices) {
    if (current) {
      current.devices.delete(d);
      if (!sameIoas) current.ioas.iopt.removeReserved(d);
    }
    join(d, target);
  }
  g.hwpt = target;
  if (current) dropIfUnused(ctx, current);
  return target.id;
}

function join(idev: IommufdDevice, hwpt: Hwpt): void {
  idev.hwpt = hwpt;
  hwpt.devices.add(idev);
}

/** iommufd_device_attach_reserved_iova(): each device's reserved regions, all or none */
function reserveDeviceRegions(ioas: IoasObject, devices: IommufdDevice[], op: string): void {
  const done: IommufdDevice[] = [];
  try {
    for (const d of devices) {
      done.push(d);
      for (const r of DEVICE_RESERVED) ioas.iopt.reserve(r.start, r.end, d, op, { device: d.fn.bdf });
    }
  } catch (e) {
    for (const d of done) ioas.iopt.removeReserved(d);
    throw e;
  }
}

/** an automatic HWPT goes with its last device: its domain leaves the io_pagetable (the last one unpins) */
function dropIfUnused(ctx: IommufdCtx, hwpt: Hwpt): void {
  if (!hwpt.auto || hwpt.devices.size) return;
  hwpt.ioas.iopt.removeDomain(hwpt.domain);
  hwpt.ioas.hwpts.delete(hwpt);
  ctx.objects.delete(hwpt.id);
}

/** VFIO_DEVICE_DETACH_IOMMUFD_PT: the group's DMA is blocked again; a device not attached detaches without complaint */
export function detachDevice(idev: IommufdDevice): void {
  const hwpt = idev.hwpt;
  if (!hwpt) return;
  hwpt.devices.delete(idev);
  hwpt.ioas.iopt.removeReserved(idev);
  idev.hwpt = null;
  if (![...hwpt.devices].some((d) => d.group === idev.group) && idev.group.hwpt === hwpt) idev.group.hwpt = null;
  dropIfUnused(idev.ctx, hwpt);
}
