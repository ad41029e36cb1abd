/**
 * An iommufd IOAS as an IOMMU context (the native path of Linux 6.2+ with
 * the VFIO device cdev of 6.6+): /dev/iommu opened and an IOAS allocated per
 * context; a group attaches device by device — each vfio-pci function's cdev
 * opened, VFIO_DEVICE_BIND_IOMMUFD to this iommufd, VFIO_DEVICE_ATTACH_IOMMUFD_PT
 * to this IOAS — and the bound cdev is the device fd. There is no mapping
 * count limit (no dma_avail) and IOVA ranges come from IOMMU_IOAS_IOVA_RANGES.
 */
import { VfioError, type Bdf, type CdevDevice, type Device, type Host, type Ioas, type IommuInfo, type Iommufd } from '@vfioscope/host';
import { IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE } from '@vfioscope/uapi';
import type { AttachedGroup, ContextMapRequest, IommuContext } from './iommu-context.ts';

/** IOMMU_IOAS_UNMAP of iova 0 and this length unmaps the whole IOAS (iopt_unmap_all) */
const WHOLE_SPACE = (1n << 64n) - 1n;

export class IoasContext implements IommuContext {
  readonly kind = 'iommufd' as const;

  private constructor(
    private readonly host: Host,
    private readonly iommufd: Iommufd,
    private readonly ioas: Ioas,
  ) {}

  static async open(host: Host): Promise<IoasContext> {
    const iommufd = await host.openIommufd();
    try {
      return new IoasContext(host, iommufd, await iommufd.allocIoas());
    } catch (err) {
      await iommufd.close().catch(() => undefined);
      throw err;
    }
  }

  async attachGroup(group: number, devices: readonly Bdf[]): Promise<AttachedGroup> {
    const attached: CdevDevice[] = [];
    try {
      for (const bdf of devices) {
        const cdev = await this.host.openDeviceCdev(bdf);
        attached.push(cdev);
        await cdev.bind(this.iommufd);
        await cdev.attach(this.ioas.id);
      }
    } catch (err) {
      // closing a cdev detaches and unbinds it
      for (const cdev of attached.reverse()) await cdev.close().catch(() => undefined);
      throw err;
    }
    return new IoasGroup(group, new Map(attached.map((c) => [c.name, c])));
  }

  async map(req: ContextMapRequest): Promise<void> {
    const flags = (req.read ? IOMMU_IOAS_MAP_READABLE : 0) | (req.write ? IOMMU_IOAS_MAP_WRITEABLE : 0);
    await this.ioas.map({ vaddr: req.vaddr, iova: req.iova, size: req.size, flags });
  }

  unmap(iova: bigint, size: bigint): Promise<bigint> {
    return this.ioas.unmap(iova, size);
  }

  unmapAll(): Promise<bigint> {
    return this.ioas.unmap(0n, WHOLE_SPACE);
  }

  async info(): Promise<IommuInfo> {
    const { ranges, alignment } = await this.ioas.iovaRanges();
    // every multiple of the alignment is a page size maps may use
    const pgsizes = (WHOLE_SPACE + 1n - alignment) & WHOLE_SPACE;
    return { flags: 0, iovaPgsizes: pgsizes, iovaRanges: ranges, dmaAvail: null };
  }

  async close(): Promise<void> {
    let failure: unknown;
    await this.ioas.destroy().catch((err: unknown) => {
      failure = err;
    });
    await this.iommufd.close().catch((err: unknown) => {
      failure ??= err;
    });
    if (failure !== undefined) throw failure;
  }
}

/**
 * The cdevs of one group's devices, bound and attached. A cdev handed out as a device fd belongs to whoever
 * took it (the session closes it with its other device fds); detach closes the ones nobody took.
 */
class IoasGroup implements AttachedGroup {
  private readonly handedOut = new Set<Bdf>();
  readonly groupFile = null;

  constructor(
    readonly group: number,
    private readonly cdevs: Map<Bdf, CdevDevice>,
  ) {}

  async device(bdf: Bdf): Promise<Device> {
    const cdev = this.cdevs.get(bdf);
    if (!cdev)
      throw new VfioError('ENODEV', 'open', `device ${bdf} was not attached with group ${this.group}`, { device: bdf, field: 'bdf' });
    this.handedOut.add(bdf);
    return cdev;
  }

  /** closing a cdev detaches and unbinds it */
  async detach(): Promise<void> {
    let failure: unknown;
    for (const [bdf, cdev] of this.cdevs) {
      if (this.handedOut.has(bdf)) continue;
      await cdev.close().catch((err: unknown) => {
        failure ??= err;
      });
    }
    if (failure !== undefined) throw failure;
  }
}
