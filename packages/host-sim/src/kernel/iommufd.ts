/**
 * An iommufd context (struct iommufd_ctx, drivers/iommu/iommufd/main.c):
 * what an open /dev/iommu holds — or /dev/vfio/vfio when iommufd serves the
 * legacy container. Its objects are named by 32-bit ids, the lowest free one
 * from 1 (xa_alloc): IOASes, HWPTs (a hardware page table, one IOMMU domain,
 * here always the one iommufd creates itself when a device attaches to an
 * IOAS) and bound devices. The 6.12 bed saw "ioas 1, devid 2, attached to
 * hwpt 3".
 *
 * The context lives while its file is open, a group uses it as its container
 * or a device is bound to it (each holds a reference, as the kernel's
 * iommufd_ctx_get does); when the last goes, every object is destroyed and
 * every mapping with it.
 */
import type { SimPciFunction } from './pci-function.ts';
import { fail } from './fail.ts';
import { IoPagetable, type IommuDomain } from './ioas.ts';
import type { PinAccount } from './pin-accounting.ts';
import type { SimGroup } from './vfio-group.ts';

export class IoasObject {
  readonly kind = 'ioas';
  readonly iopt = new IoPagetable();
  /** the HWPTs built on this IOAS; each holds a reference on it */
  readonly hwpts = new Set<Hwpt>();

  constructor(readonly id: number) {}
}

/** An HWPT_PAGING: one IOMMU domain filled from its IOAS. */
export class Hwpt {
  readonly kind = 'hwpt';
  readonly devices = new Set<IommufdDevice>();

  constructor(
    readonly id: number,
    readonly ioas: IoasObject,
    readonly domain: IommuDomain,
    /** created by an attach to an IOAS, destroyed when its last device detaches */
    readonly auto: boolean,
    /** hwpt_paging->enforce_cache_coherency */
    readonly enforceCacheCoherency: boolean,
  ) {}
}

/** A device bound to the context (struct iommufd_device): it owns its group's DMA for the context. */
export class IommufdDevice {
  readonly kind = 'device';
  hwpt: Hwpt | null = null;

  constructor(
    readonly id: number,
    readonly ctx: IommufdCtx,
    readonly fn: SimPciFunction,
    readonly group: SimGroup,
  ) {}
}

export type IommufdObject = IoasObject | Hwpt | IommufdDevice;

export class IommufdCtx {
  readonly objects = new Map<number, IommufdObject>();
  /** ictx->vfio_ioas: the IOAS the VFIO container ioctls work on */
  vfioIoas: IoasObject | null = null;
  /** the user's fd on it is open */
  fdOpen = true;
  /** groups whose container this context is (VFIO_GROUP_SET_CONTAINER) */
  groupsUsing = 0;
  released = false;

  constructor(
    /** the fd number of the file (for messages and lookups by fd) */
    readonly fd: number,
    /** where its pins are charged, and how ('user' for /dev/iommu, 'mm' for /dev/vfio/vfio) */
    readonly account: PinAccount,
    /** /dev/vfio/vfio served by iommufd (else /dev/iommu) */
    readonly compat: boolean,
    private readonly onRelease: (ctx: IommufdCtx) => void,
  ) {}

  /** the lowest free id from 1, as xa_alloc with XA_FLAGS_ALLOC1 hands them out */
  allocId(): number {
    let id = 1;
    while (this.objects.has(id)) id++;
    return id;
  }

  /** IOMMU_IOAS_ALLOC */
  allocIoas(): IoasObject {
    const ioas = new IoasObject(this.allocId());
    this.objects.set(ioas.id, ioas);
    return ioas;
  }

  /** iommufd_get_ioas(): ENOENT for an id that is not an IOAS */
  getIoas(id: number, op: string): IoasObject {
    const o = this.objects.get(id);
    if (o?.kind !== 'ioas') fail('ENOENT', op, `no IOAS ${id} in iommufd ${this.fd}`, { field: 'ioas_id' });
    return o;
  }

  /** IOMMU_DESTROY: ENOENT for no such object, EBUSY while another object holds it */
  destroy(id: number, op: string): void {
    const o = this.objects.get(id);
    if (!o) fail('ENOENT', op, `no object ${id} in iommufd ${this.fd}`, { field: 'id' });
    if (o.kind === 'ioas' && o.hwpts.size)
      fail('EBUSY', op, `IOAS ${id} is in use by HWPT ${[...o.hwpts].map((h) => h.id).join(', ')} (a device is attached)`);
    if (o.kind === 'hwpt' && o.devices.size) fail('EBUSY', op, `HWPT ${id} has devices attached`);
    // a bound device is held by its driver until unbind
    if (o.kind === 'device') fail('EBUSY', op, `device ${id} is bound; close its cdev to unbind it`);
    if (o.kind === 'ioas') o.iopt.unmapAll();
    this.objects.delete(id);
    if (this.vfioIoas === o) this.vfioIoas = null;
  }

  /** iommufd_vfio_compat_ioas_create(): the container's IOAS, made when the first group joins */
  compatIoas(): IoasObject {
    this.vfioIoas ??= this.allocIoas();
    return this.vfioIoas;
  }

  /** close(2) of the file, a group leaving, a device unbinding: the last reference destroys everything */
  maybeRelease(): void {
    if (this.released || this.fdOpen || this.groupsUsing > 0) return;
    for (const o of this.objects.values()) if (o.kind === 'device') return;
    this.released = true;
    for (const o of this.objects.values()) if (o.kind === 'ioas') o.iopt.unmapAll();
    this.objects.clear();
    this.vfioIoas = null;
    this.onRelease(this);
  }
}
