/**
 * The file descriptors the sim hands out: a container (/dev/vfio/vfio), a
 * group (/dev/vfio/N) and a device fd, each implementing the Host drive
 * interface by calling into the kernel objects. A closed fd answers EBADF,
 * as every syscall on a closed descriptor does.
 */
import type {
  Container,
  Device,
  DeviceInfo,
  DmaMapRequest,
  DmaUnmapRequest,
  Group,
  GroupStatus,
  HotResetInfo,
  IommuInfo,
  IrqInfo,
  IrqSetRequest,
  RegionInfo,
} from '@vfioscope/host';
import { VFIO_API_VERSION } from '@vfioscope/uapi';
import { fail } from './fail.ts';
import type { IommufdCtx } from './iommufd.ts';
import type { SimPciFunction } from './pci-function.ts';
import type { SimKernel } from './sim-kernel.ts';
import { hotReset, hotResetInfo } from './vfio-pci-hot-reset.ts';
import { SimContainer, type SimGroup } from './vfio-group.ts';

/** The host's table of open fds: told of each device fd opened and of every fd closed. */
export interface FdHooks {
  opened(fd: SimDeviceFd): void;
  closed(fd: SimFd): void;
}

export abstract class SimFd {
  protected closed = false;

  protected live(op: string, what: string): void {
    if (this.closed) fail('EBADF', op, `${what} fd is closed`);
  }
}

export class SimContainerFd extends SimFd implements Container {
  readonly state: SimContainer;

  constructor(
    private readonly k: SimKernel,
    private readonly hooks: FdHooks,
  ) {
    super();
    this.state = new SimContainer(k.allocFd('container'));
    k.registerContainerFile(this.state.id, this.state);
  }

  get id(): number {
    return this.state.id;
  }

  get kernel(): SimKernel {
    return this.k;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private ctx() {
    return { container: this.id };
  }

  async apiVersion(): Promise<number> {
    this.live('VFIO_GET_API_VERSION', 'container');
    return VFIO_API_VERSION;
  }

  async checkExtension(extension: number): Promise<number> {
    this.live('VFIO_CHECK_EXTENSION', 'container');
    return this.k.core.checkExtension(this.state, extension);
  }

  async setIommu(type: number): Promise<void> {
    this.live('VFIO_SET_IOMMU', 'container');
    this.k.core.setIommu(this.state, type);
  }

  async iommuInfo(): Promise<IommuInfo> {
    const op = 'VFIO_IOMMU_GET_INFO';
    this.live(op, 'container');
    return this.k.core.iommu(this.state, op).info();
  }

  async mapDma(req: DmaMapRequest): Promise<void> {
    const op = 'VFIO_IOMMU_MAP_DMA';
    this.live(op, 'container');
    this.k.core.iommu(this.state, op).map(req, this.k.space, this.ctx());
  }

  async unmapDma(req: DmaUnmapRequest): Promise<bigint> {
    const op = 'VFIO_IOMMU_UNMAP_DMA';
    this.live(op, 'container');
    return this.k.core.iommu(this.state, op).unmap(req, this.ctx());
  }

  async close(): Promise<void> {
    this.live('close', 'container');
    this.closed = true;
    this.k.releaseFd(this.id);
    // groups still attached keep the container (and its mappings) alive
    this.state.fdOpen = false;
    this.hooks.closed(this);
  }
}

export class SimGroupFd extends SimFd implements Group {
  /** the fd number of our open /dev/vfio/N */
  private readonly fd: number;

  constructor(
    private readonly k: SimKernel,
    readonly state: SimGroup,
    private readonly hooks: FdHooks,
  ) {
    super();
    this.fd = k.allocFd('group');
  }

  get id(): number {
    return this.state.id;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async status(): Promise<GroupStatus> {
    this.live('VFIO_GROUP_GET_STATUS', 'group');
    return this.k.core.status(this.state);
  }

  /** the kernel sees only the fd number: a container, an iommufd (compat), or anything else open there */
  async setContainer(container: Container): Promise<void> {
    this.live('VFIO_GROUP_SET_CONTAINER', 'group');
    this.k.core.setContainer(this.state, this.k.containerFile(container.id));
  }

  async unsetContainer(): Promise<void> {
    this.live('VFIO_GROUP_UNSET_CONTAINER', 'group');
    this.k.core.unsetContainer(this.state);
  }

  async openDevice(name: string): Promise<Device> {
    this.live('VFIO_GROUP_GET_DEVICE_FD', 'group');
    const fn = this.k.core.openDevice(this.state, name);
    const d = new SimDeviceFd(this.k, this.state, fn, this.k.allocFd('device'), this.hooks);
    this.hooks.opened(d);
    return d;
  }

  async close(): Promise<void> {
    this.live('close', 'group');
    this.closed = true;
    this.k.releaseFd(this.fd);
    this.k.core.closeGroup(this.state);
    this.hooks.closed(this);
  }
}

export class SimDeviceFd extends SimFd implements Device {
  constructor(
    protected readonly k: SimKernel,
    protected readonly g: SimGroup,
    protected readonly fn: SimPciFunction,
    readonly fd: number,
    protected readonly hooks: FdHooks,
  ) {
    super();
  }

  get name(): string {
    return this.fn.bdf;
  }

  get group(): number {
    return this.g.id;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** the vfio_device this fd was opened on (unbinding is refused while it is open) */
  protected vfio(op: string) {
    this.live(op, 'device');
    return this.fn.vfio!;
  }

  async info(): Promise<DeviceInfo> {
    return this.vfio('VFIO_DEVICE_GET_INFO').info();
  }

  async regionInfo(index: number): Promise<RegionInfo> {
    return this.vfio('VFIO_DEVICE_GET_REGION_INFO').regionInfo(index);
  }

  async irqInfo(index: number): Promise<IrqInfo> {
    return this.vfio('VFIO_DEVICE_GET_IRQ_INFO').irqs.info(index);
  }

  async setIrqs(req: IrqSetRequest): Promise<void> {
    this.vfio('VFIO_DEVICE_SET_IRQS').irqs.set(req);
  }

  async reset(): Promise<void> {
    this.vfio('VFIO_DEVICE_RESET').reset();
  }

  /** the iommufd this fd is bound to when it is a device cdev (null: a device fd from its group) */
  protected boundIommufd(): IommufdCtx | null {
    return null;
  }

  async hotResetInfo(): Promise<HotResetInfo> {
    this.vfio('VFIO_DEVICE_GET_PCI_HOT_RESET_INFO');
    return hotResetInfo(this.k, this.fn, this.boundIommufd());
  }

  async hotReset(groups: readonly Group[]): Promise<void> {
    const op = 'VFIO_DEVICE_PCI_HOT_RESET';
    this.vfio(op);
    const ids = groups.map((g) => {
      // only an open group file proves ownership (vfio_file_is_group; a closed fd is EBADF)
      if (!(g instanceof SimGroupFd)) fail('EINVAL', op, `group ${g.id} is not a group file`, { device: this.name });
      if (!g.isOpen) fail('EBADF', op, `group ${g.id} fd is closed`, { device: this.name });
      return g.state.id;
    });
    hotReset(this.k, this.fn, ids, this.boundIommufd());
  }

  async read(index: number, offset: bigint, size: number): Promise<Uint8Array> {
    const v = this.vfio('pread');
    this.k.advance();
    return v.read(index, offset, size);
  }

  async write(index: number, offset: bigint, data: Uint8Array): Promise<void> {
    const v = this.vfio('pwrite');
    this.k.advance();
    v.write(index, offset, data);
  }

  async close(): Promise<void> {
    this.live('close', 'device');
    this.closed = true;
    this.k.releaseFd(this.fd);
    this.k.core.closeDevice(this.g, this.fn);
    this.hooks.closed(this);
  }
}
