/**
 * The iommufd-side file descriptors the sim hands out, each implementing
 * the Host drive interface by calling into the kernel objects: /dev/iommu
 * (an Iommufd, and its IOASes), /dev/vfio/vfio when iommufd serves it (a
 * Container answering like vfio_compat.c), and a device's cdev
 * /dev/vfio/devices/vfioN (a CdevDevice: a device fd once bound). A closed
 * fd answers EBADF, as every syscall on a closed descriptor does.
 */
import type {
  CdevDevice,
  Container,
  DmaMapRequest,
  DmaUnmapRequest,
  IoasMapRequest,
  Iommufd,
  IommuInfo,
  Ioas,
  IovaRange,
} from '@vfioscope/host';
import { VFIO_API_VERSION } from '@vfioscope/uapi';
import type { CdevFile } from './cdev.ts';
import { compatCheckExtension, compatInfo, compatMap, compatSetIommu, compatUnmap } from './compat-container.ts';
import { type FdHooks, SimDeviceFd, SimFd } from './fds.ts';
import { ioasMap, ioasUnmap } from './ioas.ts';
import type { IommufdCtx } from './iommufd.ts';
import type { SimPciFunction } from './pci-function.ts';
import type { SimKernel } from './sim-kernel.ts';
import type { SimGroup } from './vfio-group.ts';

/** open("/dev/iommu") */
export class SimIommufdFd extends SimFd implements Iommufd {
  readonly ctx: IommufdCtx;

  constructor(
    private readonly k: SimKernel,
    private readonly hooks: FdHooks,
  ) {
    super();
    this.ctx = k.openIommufdCtx(false);
  }

  get id(): number {
    return this.ctx.fd;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** the context behind an ioctl on this fd */
  ioctl(op: string): IommufdCtx {
    this.live(op, 'iommufd');
    return this.ctx;
  }

  async allocIoas(): Promise<Ioas> {
    const ioas = this.ioctl('IOMMU_IOAS_ALLOC').allocIoas();
    return new SimIoas(this, ioas.id);
  }

  async close(): Promise<void> {
    this.live('close', 'iommufd');
    this.closed = true;
    this.k.releaseFd(this.id);
    this.ctx.fdOpen = false;
    this.ctx.maybeRelease();
    this.hooks.closed(this);
  }
}

/** An IOAS id in an iommufd: every call is an ioctl on the iommufd's fd naming the id. */
export class SimIoas implements Ioas {
  constructor(
    readonly iommufd: SimIommufdFd,
    readonly id: number,
  ) {}

  private ctx() {
    return { ioas: this.id, iommufd: this.iommufd.id };
  }

  async map(req: IoasMapRequest): Promise<void> {
    const op = 'IOMMU_IOAS_MAP';
    const ictx = this.iommufd.ioctl(op);
    ioasMap(() => ictx.getIoas(this.id, op).iopt, req, ictx.account, this.ctx());
  }

  async unmap(iova: bigint, size: bigint): Promise<bigint> {
    const op = 'IOMMU_IOAS_UNMAP';
    const ictx = this.iommufd.ioctl(op);
    return ioasUnmap(() => ictx.getIoas(this.id, op).iopt, iova, size, this.ctx());
  }

  async iovaRanges(): Promise<{ ranges: IovaRange[]; alignment: bigint }> {
    const op = 'IOMMU_IOAS_IOVA_RANGES';
    const iopt = this.iommufd.ioctl(op).getIoas(this.id, op).iopt;
    return { ranges: iopt.allowedRanges(), alignment: iopt.iovaAlignment };
  }

  async destroy(): Promise<void> {
    const op = 'IOMMU_DESTROY';
    this.iommufd.ioctl(op).destroy(this.id, op);
  }
}

/** open("/dev/vfio/vfio") on a kernel where iommufd serves it (CONFIG_IOMMUFD_VFIO_CONTAINER) */
export class SimCompatContainerFd extends SimFd implements Container {
  readonly ctx: IommufdCtx;

  constructor(
    private readonly k: SimKernel,
    private readonly hooks: FdHooks,
  ) {
    super();
    this.ctx = k.openIommufdCtx(true);
  }

  get id(): number {
    return this.ctx.fd;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private ioctl(op: string): IommufdCtx {
    this.live(op, 'container');
    return this.ctx;
  }

  async apiVersion(): Promise<number> {
    this.ioctl('VFIO_GET_API_VERSION');
    return VFIO_API_VERSION;
  }

  async checkExtension(extension: number): Promise<number> {
    return compatCheckExtension(this.ioctl('VFIO_CHECK_EXTENSION'), extension);
  }

  async setIommu(type: number): Promise<void> {
    compatSetIommu(this.ioctl('VFIO_SET_IOMMU'), type);
  }

  async iommuInfo(): Promise<IommuInfo> {
    return compatInfo(this.ioctl('VFIO_IOMMU_GET_INFO'));
  }

  async mapDma(req: DmaMapRequest): Promise<void> {
    compatMap(this.ioctl('VFIO_IOMMU_MAP_DMA'), req);
  }

  async unmapDma(req: DmaUnmapRequest): Promise<bigint> {
    return compatUnmap(this.ioctl('VFIO_IOMMU_UNMAP_DMA'), req);
  }

  /** groups still attached keep the context (and its IOAS) alive */
  async close(): Promise<void> {
    this.live('close', 'container');
    this.closed = true;
    this.k.releaseFd(this.id);
    this.ctx.fdOpen = false;
    this.ctx.maybeRelease();
    this.hooks.closed(this);
  }
}

/** open("/dev/vfio/devices/vfioN"): a device fd that answers only BIND_IOMMUFD until bound */
export class SimCdevFd extends SimDeviceFd implements CdevDevice {
  constructor(
    k: SimKernel,
    g: SimGroup,
    fn: SimPciFunction,
    fd: number,
    hooks: FdHooks,
    readonly file: CdevFile,
  ) {
    super(k, g, fn, fd, hooks);
  }

  /** every device ioctl, read and write: EINVAL before bind (access_granted) */
  protected override vfio(op: string) {
    this.live(op, 'device');
    this.file.granted(op);
    return this.fn.vfio!;
  }

  protected override boundIommufd(): IommufdCtx | null {
    return this.file.bound?.ctx ?? null;
  }

  async bind(iommufd: Iommufd): Promise<number> {
    const op = 'VFIO_DEVICE_BIND_IOMMUFD';
    this.live(op, 'device');
    return this.file.bind(iommufd.id, (fd, o) => this.k.iommufdAt(fd, o));
  }

  async attach(ptId: number): Promise<number> {
    this.live('VFIO_DEVICE_ATTACH_IOMMUFD_PT', 'device');
    return this.file.attach(ptId);
  }

  async detach(): Promise<void> {
    this.live('VFIO_DEVICE_DETACH_IOMMUFD_PT', 'device');
    this.file.detach();
  }

  override async close(): Promise<void> {
    this.live('close', 'device');
    this.closed = true;
    this.k.releaseFd(this.fd);
    this.file.close();
    this.hooks.closed(this);
  }
}
