/**
 * A VFIO group: an open /dev/vfio/N, the unit of ownership. It must be
 * viable (no device in it bound to a DMA-owning host driver) and attached to
 * a container before its devices can be opened.
 */
import type { Container, Device, Group, GroupStatus, Teardown } from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import {
  VFIO_GROUP_FLAGS_CONTAINER_SET,
  VFIO_GROUP_FLAGS_VIABLE,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_GET_STATUS,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_GROUP_UNSET_CONTAINER,
  decodeGroupStatus,
  encodeGroupStatus,
} from '@vfioscope/uapi';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import { LinuxContainer } from './linux-container.ts';
import { LinuxDevice } from './linux-device.ts';
import type { Owned, Resources } from './resources.ts';

export class LinuxGroup implements Group, Owned {
  private closed = false;
  /** the container this group is set to */
  private container: LinuxContainer | null = null;

  constructor(
    readonly id: number,
    /** the group file descriptor: also the proof of ownership VFIO_DEVICE_PCI_HOT_RESET takes */
    readonly fd: number,
    private readonly resources: Resources,
  ) {
    resources.add(this);
  }

  private leaveContainer(): void {
    this.container?.groupLeft(this);
    this.container = null;
  }

  private ctx() {
    return { group: this.id };
  }

  private guard(op: string): void {
    assertOpen(this.closed, op, `group ${this.id}`, this.ctx());
  }

  async status(): Promise<GroupStatus> {
    this.guard('VFIO_GROUP_GET_STATUS');
    const buf = encodeGroupStatus();
    libc.ioctlPtr(this.fd, VFIO_GROUP_GET_STATUS, buf, 'VFIO_GROUP_GET_STATUS', this.ctx());
    const { flags } = decodeGroupStatus(buf);
    return { viable: (flags & VFIO_GROUP_FLAGS_VIABLE) !== 0, containerSet: (flags & VFIO_GROUP_FLAGS_CONTAINER_SET) !== 0 };
  }

  async setContainer(container: Container): Promise<void> {
    const op = 'VFIO_GROUP_SET_CONTAINER';
    this.guard(op);
    if (!(container instanceof LinuxContainer)) {
      throw VfioError.fromErrno(9 /* EBADF */, op, 'not a container of this linux host', this.ctx());
    }
    // the argument is a pointer to the container's fd
    const arg = new Uint8Array(4);
    new DataView(arg.buffer).setInt32(0, container.fd, true);
    libc.ioctlPtr(this.fd, VFIO_GROUP_SET_CONTAINER, arg, op, { ...this.ctx(), container: container.fd });
    this.container = container;
    container.groupSet(this);
  }

  async unsetContainer(): Promise<void> {
    this.guard('VFIO_GROUP_UNSET_CONTAINER');
    libc.ioctlInt(this.fd, VFIO_GROUP_UNSET_CONTAINER, 0, 'VFIO_GROUP_UNSET_CONTAINER', this.ctx());
    this.leaveContainer();
  }

  async openDevice(name: string): Promise<Device> {
    const op = 'VFIO_GROUP_GET_DEVICE_FD';
    this.guard(op);
    const arg = new TextEncoder().encode(`${name}\0`);
    // vfio-pci resets the function on its first open: off the event loop
    const fd = await libc.ioctlPtrBlocking(this.fd, VFIO_GROUP_GET_DEVICE_FD, arg, op, { ...this.ctx(), device: name });
    return new LinuxDevice(name, this.id, fd, this.resources);
  }

  unsetContainerSync(): void {
    if (this.closed || this.container === null) return;
    this.leaveContainer();
    try {
      libc.ioctlInt(this.fd, VFIO_GROUP_UNSET_CONTAINER, 0, 'VFIO_GROUP_UNSET_CONTAINER', this.ctx());
    } catch (err) {
      if (!(err instanceof VfioError && err.errno === 'EINVAL' && this.detachedByKernel())) throw err;
    }
  }

  /**
   * The group's last device went away while we held it (an unbind or hot-unplug that waited for us):
   * the kernel detached the container itself (vfio_device_remove_group(): drivers/vfio/vfio_main.c in 6.1,
   * group.c from 6.2:
   * "Revoke all users of group->iommu_group"), so UNSET_CONTAINER answers EINVAL and GET_STATUS
   * ENODEV, or no CONTAINER_SET. Nothing is left to undo; the bed's device-request test saw it.
   */
  private detachedByKernel(): boolean {
    const buf = encodeGroupStatus();
    try {
      libc.ioctlPtr(this.fd, VFIO_GROUP_GET_STATUS, buf, 'VFIO_GROUP_GET_STATUS', this.ctx());
    } catch (err) {
      return err instanceof VfioError && err.errno === 'ENODEV';
    }
    return (decodeGroupStatus(buf).flags & VFIO_GROUP_FLAGS_CONTAINER_SET) === 0;
  }

  addTeardown(t: Teardown<void>): void {
    t.add('detach', `unset the container of group ${this.id}`, () => this.unsetContainerSync());
    t.add('group', `close group ${this.id}`, () => this.releaseSync());
  }

  /** close(2); the kernel unsets the container of a group closed while set */
  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.leaveContainer();
    this.resources.delete(this);
    libc.close(this.fd, this.ctx());
  }

  async close(): Promise<void> {
    this.guard('close');
    this.releaseSync();
  }
}
