/**
 * One open file of a VFIO device cdev, /dev/vfio/devices/vfioN
 * (drivers/vfio/device_cdev.c and vfio_main.c, Linux 6.12): the native
 * iommufd path to a device, without group or container. Opening it grants
 * nothing; VFIO_DEVICE_BIND_IOMMUFD binds the device to an iommufd context
 * and opens it (enable, as the first group-path device fd does), after which
 * the fd answers every device ioctl and attaches to an IOAS. Rules measured
 * on 6.12 (research/iommufd-6.12.md, "cdev rules") and their source:
 *
 *  - device ioctls, reads and writes before bind: EINVAL (access_granted);
 *  - bind: flags first, then the group (vfio_device_block_group: EBUSY while
 *    /dev/vfio/N is open — the legacy path holds the device's group), then
 *    a second bind on the same fd (EINVAL), then the iommufd fd
 *    (iommufd_ctx_from_fd: EBADF when nothing is open at that number, EBADFD
 *    for an open file that is not an iommufd), then vfio_df_open (EINVAL
 *    when the device is already open: a second open of the same cdev
 *    succeeds, its bind does not), then the DMA ownership claim (EPERM for a
 *    group that is not viable, iommufd-device.ts);
 *  - a bound cdev blocks the group: opening /dev/vfio/N is EBUSY;
 *  - attach to an id that names nothing: ENOENT;
 *  - close unbinds: detach, the device closed (disable), the group's DMA
 *    returned, the iommufd reference dropped.
 *
 * A simulated VM that holds the group through cdevs is taken to have bound
 * every device of it: binding one here is EINVAL (the device is open).
 */
import { fail } from './fail.ts';
import { attachDevice, bindDevice, detachDevice, unbindDevice } from './iommufd-device.ts';
import type { IommufdCtx, IommufdDevice } from './iommufd.ts';
import type { SimPciFunction } from './pci-function.ts';
import type { SimGroup } from './vfio-group.ts';
import type { VfioPciDevice } from './vfio-pci-device.ts';

export class CdevFile {
  /** df->access_granted: the binding this file made */
  bound: IommufdDevice | null = null;
  closed = false;

  constructor(
    readonly fn: SimPciFunction,
    readonly vfio: VfioPciDevice,
    readonly group: SimGroup,
  ) {
    vfio.cdevFiles++;
  }

  private ctx() {
    return { device: this.fn.bdf, group: this.group.id };
  }

  /** VFIO_DEVICE_BIND_IOMMUFD; `resolve` is iommufd_ctx_from_fd on the caller's fd number */
  bind(iommufdFd: number, resolve: (fd: number, op: string) => IommufdCtx): number {
    const op = 'VFIO_DEVICE_BIND_IOMMUFD';
    if (!Number.isInteger(iommufdFd) || iommufdFd < 0)
      fail('EINVAL', op, `iommufd ${iommufdFd} is not an fd`, { ...this.ctx(), field: 'iommufd' });
    const g = this.group;
    if (g.holder && !(g.holder.kind === 'process' && g.holder.via === 'cdev')) {
      const who = g.holder.kind === 'self' ? 'this process' : `pid ${g.holder.pid}`;
      fail('EBUSY', op, `/dev/vfio/${g.id} is open (by ${who}): the group path holds the device`, this.ctx());
    }
    g.cdevBound++;
    try {
      if (this.bound) fail('EINVAL', op, `this cdev of ${this.fn.bdf} is already bound`, this.ctx());
      const ictx = resolve(iommufdFd, op);
      if (this.vfio.openCount > 0 || g.holder?.kind === 'process') {
        fail('EINVAL', op, `${this.fn.bdf} is already open: a device opens once through its cdev`, this.ctx());
      }
      const idev = bindDevice(ictx, this.fn, g, op);
      this.vfio.iommufd = idev;
      if (this.vfio.openCount++ === 0) this.vfio.enable();
      this.bound = idev;
      return idev.id;
    } catch (e) {
      g.cdevBound--;
      throw e;
    }
  }

  /** the bound device, or EINVAL for an ioctl before bind */
  granted(op: string): IommufdDevice {
    if (!this.bound) fail('EINVAL', op, `bind ${this.fn.bdf}'s cdev to an iommufd first`, this.ctx());
    return this.bound;
  }

  /** VFIO_DEVICE_ATTACH_IOMMUFD_PT: resolves to the HWPT id */
  attach(ptId: number): number {
    const op = 'VFIO_DEVICE_ATTACH_IOMMUFD_PT';
    return attachDevice(this.granted(op), ptId, op);
  }

  /** VFIO_DEVICE_DETACH_IOMMUFD_PT */
  detach(): void {
    detachDevice(this.granted('VFIO_DEVICE_DETACH_IOMMUFD_PT'));
  }

  /** close(2): vfio_df_unbind_iommufd() when bound */
  close(): void {
    this.closed = true;
    this.vfio.cdevFiles--;
    const idev = this.bound;
    if (!idev) return;
    this.bound = null;
    if (--this.vfio.openCount === 0) this.vfio.disable();
    this.vfio.iommufd = null;
    unbindDevice(idev);
    this.group.cdevBound--;
  }
}
