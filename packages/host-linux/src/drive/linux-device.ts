/**
 * A VFIO device fd: regions read and written with pread/pwrite at the
 * region's offset in the fd (vfio-pci puts region i at i << 40), IRQ indexes
 * wired to eventfds with VFIO_DEVICE_SET_IRQS. The same ioctls whether the fd
 * came from VFIO_GROUP_GET_DEVICE_FD (here) or from opening the device's
 * cdev (LinuxCdevDevice extends this class with the iommufd binding).
 */
import {
  VfioError,
  type Device,
  type DeviceInfo,
  type Group,
  type HotResetInfo,
  type IrqInfo,
  type IrqSetRequest,
  type RegionInfo,
  type Teardown,
  type VfioErrorContext,
} from '@vfioscope/host';
import {
  VFIO_DEVICE_GET_INFO,
  VFIO_DEVICE_GET_IRQ_INFO,
  VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_RESET,
  VFIO_DEVICE_SET_IRQS,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
  decodeDeviceInfo,
  decodeIrqInfo,
  decodeRegionInfo,
  encodeDeviceInfo,
  encodeIrqInfo,
  encodeIrqSet,
  encodeRegionInfo,
} from '@vfioscope/uapi';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import { hotReset, hotResetInfo } from './hot-reset.ts';
import { RegionMapping } from './region-mapping.ts';
import type { Owned, Resources } from './resources.ts';

/** room for a region's capability chain on the first GET_REGION_INFO */
const REGION_INFO_ARGSZ = 256;

export class LinuxDevice implements Device, Owned {
  protected closed = false;
  private readonly regionOffsets = new Map<number, bigint>();
  /** IRQ indexes with triggers wired, disabled at teardown */
  private readonly wiredIrqs = new Set<number>();
  /** BAR mappings: unmapped before the fd is closed */
  private readonly mappings = new Set<RegionMapping>();

  constructor(
    readonly name: string,
    readonly group: number,
    protected readonly fd: number,
    protected readonly resources: Resources,
  ) {
    resources.add(this);
  }

  protected ctx(): VfioErrorContext {
    return { device: this.name, group: this.group };
  }

  protected guard(op: string): void {
    assertOpen(this.closed, op, `device ${this.name}`, this.ctx());
  }

  protected ioctl(request: number, arg: Uint8Array, op: string): number {
    this.guard(op);
    return libc.ioctlPtr(this.fd, request, arg, op, this.ctx());
  }

  async info(): Promise<DeviceInfo> {
    const buf = encodeDeviceInfo();
    this.ioctl(VFIO_DEVICE_GET_INFO, buf, 'VFIO_DEVICE_GET_INFO');
    const d = decodeDeviceInfo(buf);
    return { flags: d.flags, numRegions: d.num_regions, numIrqs: d.num_irqs };
  }

  async regionInfo(index: number): Promise<RegionInfo> {
    const op = 'VFIO_DEVICE_GET_REGION_INFO';
    let buf = encodeRegionInfo({ index, argsz: REGION_INFO_ARGSZ });
    this.ioctl(VFIO_DEVICE_GET_REGION_INFO, buf, op);
    let r = decodeRegionInfo(buf);
    if (r.truncated) {
      buf = encodeRegionInfo({ index, argsz: r.argsz });
      this.ioctl(VFIO_DEVICE_GET_REGION_INFO, buf, op);
      r = decodeRegionInfo(buf);
    }
    this.regionOffsets.set(index, r.offset);
    return { index: r.index, flags: r.flags, size: r.size, offset: r.offset, capabilities: r.caps.map((c) => c.id) };
  }

  async irqInfo(index: number): Promise<IrqInfo> {
    const buf = encodeIrqInfo({ index });
    this.ioctl(VFIO_DEVICE_GET_IRQ_INFO, buf, 'VFIO_DEVICE_GET_IRQ_INFO');
    const i = decodeIrqInfo(buf);
    return { index: i.index, flags: i.flags, count: i.count };
  }

  async setIrqs(req: IrqSetRequest): Promise<void> {
    const data =
      req.data.type === 'eventfd' ? { type: 'eventfd' as const, fds: req.data.fds.map((e) => (e === null ? -1 : e.fd)) } : req.data;
    const buf = encodeIrqSet({ action: req.action, index: req.index, start: req.start, count: req.count, data });
    this.ioctl(VFIO_DEVICE_SET_IRQS, buf, 'VFIO_DEVICE_SET_IRQS');
    if (req.action === VFIO_IRQ_SET_ACTION_TRIGGER) {
      if (req.data.type === 'none' && req.count === 0) this.wiredIrqs.delete(req.index);
      else this.wiredIrqs.add(req.index);
    }
  }

  async reset(): Promise<void> {
    this.guard('VFIO_DEVICE_RESET');
    // a reset can wait on the device (FLR: up to 100 ms and more): off the event loop
    await libc.ioctlIntBlocking(this.fd, VFIO_DEVICE_RESET, 0, 'VFIO_DEVICE_RESET', this.ctx());
  }

  async hotResetInfo(): Promise<HotResetInfo> {
    this.guard('VFIO_DEVICE_GET_PCI_HOT_RESET_INFO');
    return hotResetInfo(this.fd, this.ctx());
  }

  async hotReset(groups: readonly Group[]): Promise<void> {
    this.guard('VFIO_DEVICE_PCI_HOT_RESET');
    await hotReset(this.fd, groups, this.ctx());
  }

  private async offsetOf(index: number): Promise<bigint> {
    const known = this.regionOffsets.get(index);
    if (known !== undefined) return known;
    return (await this.regionInfo(index)).offset;
  }

  async read(index: number, offset: bigint, size: number): Promise<Uint8Array> {
    this.guard('pread');
    const buf = new Uint8Array(size);
    const n = libc.pread(this.fd, buf, (await this.offsetOf(index)) + offset, 'pread', { ...this.ctx(), region: index });
    return n === size ? buf : buf.slice(0, n);
  }

  async write(index: number, offset: bigint, data: Uint8Array): Promise<void> {
    this.guard('pwrite');
    libc.pwrite(this.fd, data, (await this.offsetOf(index)) + offset, 'pwrite', { ...this.ctx(), region: index });
  }

  /**
   * mmap a region that allows it (linux only: the sim has no process memory
   * to map a device into). Released with the device at teardown.
   */
  async mapRegion(index: number): Promise<RegionMapping> {
    const op = 'mmap';
    this.guard(op);
    const info = await this.regionInfo(index);
    if ((info.flags & VFIO_REGION_INFO_FLAG_MMAP) === 0 || info.size === 0n) {
      throw VfioError.fromErrno(22 /* EINVAL */, op, `region ${index} of ${this.name} cannot be mapped`, { ...this.ctx(), region: index });
    }
    const prot =
      ((info.flags & VFIO_REGION_INFO_FLAG_READ) !== 0 ? libc.PROT_READ : 0) |
      ((info.flags & VFIO_REGION_INFO_FLAG_WRITE) !== 0 ? libc.PROT_WRITE : 0);
    const addr = libc.mmap(info.size, prot, libc.MAP_SHARED, this.fd, info.offset, { ...this.ctx(), region: index });
    const mapping = new RegionMapping(this.name, index, addr, info.size, this.resources);
    this.mappings.add(mapping);
    return mapping;
  }

  disableIrqsSync(): void {
    if (this.closed) return;
    for (const index of [...this.wiredIrqs]) {
      const buf = encodeIrqSet({ action: VFIO_IRQ_SET_ACTION_TRIGGER, index, start: 0, count: 0, data: { type: 'none' } });
      libc.ioctlPtr(this.fd, VFIO_DEVICE_SET_IRQS, buf, 'VFIO_DEVICE_SET_IRQS', this.ctx());
      this.wiredIrqs.delete(index);
    }
  }

  addTeardown(t: Teardown<void>): void {
    t.add('irq', `interrupts off on ${this.name}`, () => this.disableIrqsSync());
    t.add('device', `close ${this.name}`, () => this.releaseSync());
  }

  /** close(2), after unmapping its BARs (a mapping holds the device open) */
  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.mappings) m.releaseSync();
    this.mappings.clear();
    this.resources.delete(this);
    libc.close(this.fd, this.ctx());
  }

  async close(): Promise<void> {
    this.guard('close');
    this.releaseSync();
  }
}
