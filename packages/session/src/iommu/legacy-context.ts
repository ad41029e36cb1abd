/**
 * A VFIO container (/dev/vfio/vfio) as an IOMMU context: groups attach with
 * VFIO_GROUP_SET_CONTAINER and the first one sets the IOMMU type (TYPE1v2);
 * device fds come from VFIO_GROUP_GET_DEVICE_FD. The same code serves type1
 * and iommufd's compat container — the uAPI is the same, the kernel behind it
 * answers differently (e2e/kernel/README.md lists where).
 */
import type { Bdf, Container, Device, Group, Host, IommuInfo } from '@vfioscope/host';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import type { AttachedGroup, ContextMapRequest, IommuContext } from './iommu-context.ts';

export class LegacyContext implements IommuContext {
  private iommuSet = false;

  private constructor(
    private readonly host: Host,
    private readonly container: Container,
    readonly kind: 'type1' | 'iommufd-compat',
  ) {}

  static async open(host: Host, kind: 'type1' | 'iommufd-compat'): Promise<LegacyContext> {
    return new LegacyContext(host, await host.openContainer(), kind);
  }

  async attachGroup(groupId: number, _devices: readonly Bdf[]): Promise<AttachedGroup> {
    const group = await this.host.openGroup(groupId);
    let attached = false;
    try {
      await group.setContainer(this.container);
      attached = true;
      if (!this.iommuSet) {
        await this.container.setIommu(VFIO_TYPE1v2_IOMMU);
        this.iommuSet = true;
      }
    } catch (err) {
      if (attached) await group.unsetContainer().catch(() => undefined);
      await group.close().catch(() => undefined);
      throw err;
    }
    return new LegacyGroup(group);
  }

  async map(req: ContextMapRequest): Promise<void> {
    const flags = (req.read ? VFIO_DMA_MAP_FLAG_READ : 0) | (req.write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
    await this.container.mapDma({ vaddr: req.vaddr, iova: req.iova, size: req.size, flags });
  }

  unmap(iova: bigint, size: bigint): Promise<bigint> {
    return this.container.unmapDma({ iova, size, flags: 0 });
  }

  unmapAll(): Promise<bigint> {
    return this.container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL });
  }

  info(): Promise<IommuInfo> {
    return this.container.iommuInfo();
  }

  close(): Promise<void> {
    return this.container.close();
  }
}

class LegacyGroup implements AttachedGroup {
  constructor(private readonly fd: Group) {}

  get group(): number {
    return this.fd.id;
  }

  get groupFile(): Group {
    return this.fd;
  }

  device(bdf: Bdf): Promise<Device> {
    return this.fd.openDevice(bdf);
  }

  async detach(): Promise<void> {
    let failure: unknown;
    await this.fd.unsetContainer().catch((err: unknown) => {
      failure = err;
    });
    await this.fd.close().catch((err: unknown) => {
      failure ??= err;
    });
    if (failure !== undefined) throw failure;
  }
}
