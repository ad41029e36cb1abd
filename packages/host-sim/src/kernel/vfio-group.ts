/**
 * IOMMU groups and containers as the VFIO core keeps them (drivers/vfio
 * group.c / container.c, vfio_main.c in 6.1): who holds /dev/vfio/N open,
 * viability (no device on a driver that claims kernel DMA ownership), the
 * group ↔ container link, container_users (1 + open device fds), and the
 * container's IOMMU backend, released when its last group leaves.
 */
import type { GroupStatus, IommuGroupInfo, ViabilityBlocker } from '@vfioscope/host';
import { VFIO_TYPE1_IOMMU, VFIO_TYPE1_NESTING_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR } from '@vfioscope/uapi';
import { fail } from './fail.ts';
import { isDmaManagedDriver, isVfioDriver, type SimPciFunction } from './pci-function.ts';
import { Type1Iommu } from './type1.ts';

export type GroupHolder = { kind: 'self' } | { kind: 'process'; pid: number };

export class SimContainer {
  readonly groups = new Set<SimGroup>();
  iommu: Type1Iommu | null = null;
  /** the user's /dev/vfio/vfio fd is open; the container lives on while groups reference it */
  fdOpen = true;

  constructor(readonly id: number) {}
}

export class SimGroup {
  holder: GroupHolder | null = null;
  /** our fd on /dev/vfio/N is open (device fds keep the file alive after close) */
  userFdOpen = false;
  container: SimContainer | null = null;
  openDevices = 0;

  constructor(
    readonly id: number,
    readonly functions: SimPciFunction[],
  ) {}

  blockers(): ViabilityBlocker[] {
    return this.functions.filter((f) => f.driver !== null && !isDmaManagedDriver(f.driver)).map((f) => ({ bdf: f.bdf, driver: f.driver! }));
  }

  get viable(): boolean {
    return this.blockers().length === 0;
  }

  /** iommu_group_dma_owner_claimed() by a user: in a container here, or held by a simulated VM */
  get userOwned(): boolean {
    return this.container !== null || this.holder?.kind === 'process';
  }

  info(): IommuGroupInfo {
    const blockers = this.blockers();
    return { id: this.id, devices: this.functions.map((f) => f.bdf), viable: blockers.length === 0, blockers };
  }
}

/** Extensions type1 answers before an IOMMU is set (iommu == NULL) and after. */
function type1CheckExtension(ext: number, iommuSet: boolean): number {
  switch (ext) {
    case VFIO_TYPE1_IOMMU:
    case VFIO_TYPE1v2_IOMMU:
    case VFIO_TYPE1_NESTING_IOMMU:
    case VFIO_UNMAP_ALL:
      return 1;
    case VFIO_UPDATE_VADDR:
      // "return iommu && !vfio_iommu_has_emulated(iommu)": no mdevs here
      return iommuSet ? 1 : 0;
    default:
      // DMA_CC_IOMMU: the q35 intel-iommu has no snoop control; NOIOMMU: enable_unsafe_noiommu_mode is off
      return 0;
  }
}

export class VfioCore {
  constructor(private readonly dmaEntryLimit: number) {}

  /** open("/dev/vfio/N") */
  openGroup(g: SimGroup | undefined, id: number, holder: GroupHolder): SimGroup {
    if (!g) fail('ENOENT', 'open', `/dev/vfio/${id} does not exist`, { group: id });
    // a group file may be open once: vfio_group_fops_open refuses a second opener
    if (g.holder)
      fail('EBUSY', 'open', `/dev/vfio/${id} is already open${g.holder.kind === 'process' ? ` by pid ${g.holder.pid}` : ''}`, {
        group: id,
      });
    g.holder = holder;
    g.userFdOpen = holder.kind === 'self';
    return g;
  }

  status(g: SimGroup): GroupStatus {
    if (g.container) return { viable: true, containerSet: true };
    return { viable: g.viable, containerSet: false };
  }

  /** VFIO_GROUP_SET_CONTAINER */
  setContainer(g: SimGroup, c: SimContainer | null, cFdOpen: boolean): void {
    const op = 'VFIO_GROUP_SET_CONTAINER';
    if (c && !cFdOpen) fail('EBADF', op, `container fd ${c.id} is closed`, { group: g.id, container: c.id });
    if (g.container) fail('EINVAL', op, `group ${g.id} is already in container ${g.container.id}`, { group: g.id });
    if (!c) fail('EINVAL', op, 'the fd is not a VFIO container', { group: g.id });
    // iommu_group_claim_dma_owner(): a kernel driver still owns DMA for some device
    const blockers = g.blockers();
    if (blockers.length) {
      fail('EPERM', op, `group ${g.id} is not viable: ${blockers.map((b) => `${b.bdf} on ${b.driver}`).join(', ')}`, {
        group: g.id,
        container: c.id,
      });
    }
    g.container = c;
    c.groups.add(g);
  }

  /** VFIO_GROUP_UNSET_CONTAINER */
  unsetContainer(g: SimGroup): void {
    const op = 'VFIO_GROUP_UNSET_CONTAINER';
    if (!g.container) fail('EINVAL', op, `group ${g.id} is not in a container`, { group: g.id });
    if (g.openDevices > 0)
      fail('EBUSY', op, `group ${g.id} has ${g.openDevices} open device fd(s)`, { group: g.id, container: g.container.id });
    this.detach(g);
  }

  /** vfio_group_detach_container(): the last group out releases the IOMMU (all mappings go) */
  private detach(g: SimGroup): void {
    const c = g.container!;
    c.groups.delete(g);
    g.container = null;
    if (c.groups.size === 0 && c.iommu) {
      c.iommu.release();
      c.iommu = null;
    }
  }

  /** VFIO_GROUP_GET_DEVICE_FD: the name is looked up first (ENODEV), then the container (EINVAL) */
  openDevice(g: SimGroup, name: string): SimPciFunction {
    const op = 'VFIO_GROUP_GET_DEVICE_FD';
    const fn = g.functions.find((f) => f.bdf === name && isVfioDriver(f.driver) && f.vfio);
    if (!fn) fail('ENODEV', op, `no VFIO device named "${name}" in group ${g.id}`, { group: g.id, device: name });
    if (!g.container?.iommu) fail('EINVAL', op, `group ${g.id} has no container with an IOMMU set`, { group: g.id, device: name });
    g.openDevices++;
    if (fn.vfio!.openCount++ === 0) fn.vfio!.enable();
    return fn;
  }

  closeDevice(g: SimGroup, fn: SimPciFunction): void {
    const vfio = fn.vfio;
    if (vfio && --vfio.openCount === 0) vfio.disable();
    g.openDevices--;
    this.maybeRelease(g);
  }

  /** close() of our group fd; the file stays open while device fds reference it */
  closeGroup(g: SimGroup): void {
    g.userFdOpen = false;
    this.maybeRelease(g);
  }

  /** vfio_group_fops_release() */
  private maybeRelease(g: SimGroup): void {
    if (g.userFdOpen || g.openDevices > 0 || g.holder?.kind !== 'self') return;
    if (g.container) this.detach(g);
    g.holder = null;
  }

  /** VFIO_CHECK_EXTENSION */
  checkExtension(c: SimContainer, ext: number): number {
    if (!Number.isInteger(ext)) return 0;
    return type1CheckExtension(ext, c.iommu !== null);
  }

  /** VFIO_SET_IOMMU: type1 is the only backend; an extension it does not answer is ENODEV */
  setIommu(c: SimContainer, type: number): void {
    const op = 'VFIO_SET_IOMMU';
    if (c.groups.size === 0 || c.iommu) {
      fail('EINVAL', op, c.iommu ? 'an IOMMU is already set' : 'attach a group before setting the IOMMU', { container: c.id });
    }
    if (!Number.isInteger(type) || type1CheckExtension(type, false) <= 0)
      fail('ENODEV', op, `no IOMMU driver supports type ${type}`, { container: c.id, field: 'type' });
    c.iommu = new Type1Iommu(type, this.dmaEntryLimit);
  }

  /** the container ioctls passed to the IOMMU driver; without one the container answers EINVAL */
  iommu(c: SimContainer, op: string): Type1Iommu {
    if (!c.iommu) fail('EINVAL', op, 'no IOMMU is set on this container', { container: c.id });
    return c.iommu;
  }
}
