/**
 * Device fds the session holds, opened on first use: VFIO_GROUP_GET_DEVICE_FD
 * on the legacy path, the bound cdev on the iommufd path. A device fd comes
 * from its attached group, so the device's group must be open in this
 * session; the group of a BDF comes from the host topology.
 */
import { VfioError, type Bdf, type Device, type Host } from '@vfioscope/host';
import type { ContextOwnership } from './context-ownership.ts';

export class DeviceFds {
  private readonly open = new Map<Bdf, Promise<Device>>();
  private groupOfBdf = new Map<Bdf, number | null>();

  constructor(
    private readonly host: Host,
    private readonly groups: ContextOwnership,
  ) {}

  /** the device fd if it is already open */
  peek(bdf: Bdf): Promise<Device> | undefined {
    return this.open.get(bdf);
  }

  /** BDFs with an open fd (or one being opened) in a group */
  devicesOf(group: number): Bdf[] {
    return [...this.open.keys()].filter((bdf) => this.groupOfBdf.get(bdf) === group);
  }

  async groupOf(bdf: Bdf): Promise<number> {
    let group = this.groupOfBdf.get(bdf);
    if (group === undefined) {
      // unknown to the cached topology: it may have changed (a bind, a hotplug)
      const topology = await this.host.topology();
      this.groupOfBdf = new Map(topology.devices.map((d) => [d.bdf, d.iommuGroup]));
      group = this.groupOfBdf.get(bdf);
    }
    if (group === undefined || group === null) {
      throw new VfioError('ENODEV', 'VFIO_GROUP_GET_DEVICE_FD', `no device ${bdf} in any IOMMU group`, { device: bdf, field: 'bdf' });
    }
    return group;
  }

  /** true when `open` is about to open a new fd (for the openDevice event) */
  isOpen(bdf: Bdf): boolean {
    return this.open.has(bdf);
  }

  async get(bdf: Bdf): Promise<Device> {
    const existing = this.open.get(bdf);
    if (existing) return existing;
    const group = await this.groupOf(bdf);
    const entry = this.groups.group(group);
    if (!entry) {
      throw new VfioError('ENODEV', 'VFIO_GROUP_GET_DEVICE_FD', `group ${group} is not open`, { device: bdf, group, field: 'bdf' });
    }
    const again = this.open.get(bdf);
    if (again) return again;
    const opening = entry.attached.device(bdf);
    this.open.set(bdf, opening);
    opening.catch(() => this.open.delete(bdf));
    return opening;
  }

  /** Forget and close a device fd (its IRQs must be off already). */
  async close(bdf: Bdf): Promise<void> {
    const opening = this.open.get(bdf);
    if (!opening) return;
    this.open.delete(bdf);
    const device = await opening.catch(() => null);
    if (device) await device.close();
  }
}
