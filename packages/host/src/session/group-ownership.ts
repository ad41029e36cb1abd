/**
 * The groups and containers a session holds: an open /dev/vfio/N per group
 * and an open /dev/vfio/vfio per container (one IOMMU context). Like the
 * kernel, the container counts its groups; the IOMMU type (TYPE1v2) is set
 * when the first group attaches, and the container is closed after its last
 * group leaves.
 */
import { VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import { VfioError } from '../errors.ts';
import type { Host } from '../host.ts';
import type { Container, Group, IommuInfo } from '../drive.ts';

export interface ContainerEntry {
  readonly container: Container;
  readonly groups: Set<number>;
  iommuInfo: IommuInfo | null;
}

export interface GroupEntry {
  readonly group: Group;
  readonly container: ContainerEntry;
}

export class GroupOwnership {
  private readonly groupsById = new Map<number, GroupEntry>();
  private readonly containersById = new Map<number, ContainerEntry>();

  constructor(private readonly host: Host) {}

  group(id: number): GroupEntry | undefined {
    return this.groupsById.get(id);
  }

  container(id: number): ContainerEntry | undefined {
    return this.containersById.get(id);
  }

  /** The container or a VfioError naming the field, for ids the caller made up. */
  requireContainer(id: number, op: string): ContainerEntry {
    const entry = this.containersById.get(id);
    if (!entry) {
      throw new VfioError('ENOENT', op, `container ${id} is not held by this session`, {
        container: id,
        field: 'container',
      });
    }
    return entry;
  }

  allGroups(): GroupEntry[] {
    return [...this.groupsById.values()];
  }

  allContainers(): ContainerEntry[] {
    return [...this.containersById.values()];
  }

  /**
   * open(/dev/vfio/N), SET_CONTAINER to the given container or a new one,
   * SET_IOMMU(TYPE1v2) on a container's first group. Undoes every step on failure
   * and rethrows the kernel's error unchanged.
   */
  async attach(groupId: number, containerId?: number): Promise<GroupEntry> {
    const existing = containerId === undefined ? undefined : this.requireContainer(containerId, 'VFIO_GROUP_SET_CONTAINER');
    const group = await this.host.openGroup(groupId);
    let created: ContainerEntry | undefined;
    let attached = false;
    try {
      let entry = existing;
      if (entry === undefined) {
        created = { container: await this.host.openContainer(), groups: new Set(), iommuInfo: null };
        entry = created;
      }
      await group.setContainer(entry.container);
      attached = true;
      if (entry.iommuInfo === null) {
        await entry.container.setIommu(VFIO_TYPE1v2_IOMMU);
        entry.iommuInfo = await entry.container.iommuInfo();
      }
      entry.groups.add(groupId);
      this.containersById.set(entry.container.id, entry);
      const groupEntry: GroupEntry = { group, container: entry };
      this.groupsById.set(groupId, groupEntry);
      return groupEntry;
    } catch (err) {
      if (attached) await group.unsetContainer().catch(() => undefined);
      await group.close().catch(() => undefined);
      if (created) await created.container.close().catch(() => undefined);
      throw err;
    }
  }

  /** VFIO_GROUP_UNSET_CONTAINER and close the group; close the container after its last group. */
  async detach(groupId: number): Promise<void> {
    const entry = this.groupsById.get(groupId);
    if (!entry) return;
    this.groupsById.delete(groupId);
    entry.container.groups.delete(groupId);
    let failure: unknown;
    try {
      await entry.group.unsetContainer();
    } catch (err) {
      failure = err;
    }
    try {
      await entry.group.close();
    } catch (err) {
      failure ??= err;
    }
    if (entry.container.groups.size === 0) {
      this.containersById.delete(entry.container.container.id);
      try {
        await entry.container.container.close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Refresh a container's IOMMU info (dma_avail changes with every map). */
  async refreshIommuInfo(entry: ContainerEntry): Promise<void> {
    entry.iommuInfo = await entry.container.iommuInfo();
  }
}
