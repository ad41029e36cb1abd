/**
 * IOMMU groups and containers as the VFIO core keeps them (drivers/vfio
 * group.c / container.c, vfio_main.c in 6.1 and 6.12): who holds /dev/vfio/N
 * open, viability (no device on a driver that claims kernel DMA ownership),
 * the group ↔ container link, container_users (1 + open device fds), and the
 * container's IOMMU backend, released when its last group leaves.
 *
 * On a kernel with iommufd the group's "container" may be an iommufd context
 * instead (group->iommufd: /dev/vfio/vfio served by iommufd, or /dev/iommu
 * itself): SET_CONTAINER only makes the context's compat IOAS, and each
 * device is bound (claiming the group's DMA: EPERM when not viable) and
 * attached to that IOAS when its first fd opens (group.c vfio_df_group_open,
 * iommufd.c vfio_iommufd_compat_attach_ioas). UNSET_CONTAINER then succeeds
 * with devices open. The group also counts its devices bound through their
 * cdev (cdev_device_open_cnt): while any is, /dev/vfio/N cannot be opened.
 */
import type { GroupStatus, IommuGroupInfo, ViabilityBlocker } from '@vfioscope/host';
import { VFIO_TYPE1_IOMMU, VFIO_TYPE1_NESTING_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR } from '@vfioscope/uapi';
import { fail } from './fail.ts';
import { attachDevice, bindDevice, unbindDevice } from './iommufd-device.ts';
import type { Hwpt, IommufdCtx } from './iommufd.ts';
import type { KernelProfile } from './kernel-profile.ts';
import type { SimKernelLog } from './kernel-log.ts';
import { isDmaManagedDriver, isVfioDriver, type SimPciFunction } from './pci-function.ts';
import { Type1Iommu } from './type1.ts';

/** Who holds the group: this process through /dev/vfio/N, or a simulated VM (through the group file or its devices' cdevs). */
export type GroupHolder = { kind: 'self' } | { kind: 'process'; pid: number; via: 'group' | 'cdev' };

/** What an fd passed to VFIO_GROUP_SET_CONTAINER turned out to be. */
export type ContainerFile =
  | { kind: 'closed' }
  | { kind: 'container'; container: SimContainer }
  | { kind: 'iommufd'; ctx: IommufdCtx }
  | { kind: 'other'; what: string };

export class SimContainer {
  readonly groups = new Set<SimGroup>();
  iommu: Type1Iommu | null = null;
  /** the user's /dev/vfio/vfio fd is open; the container lives on while groups reference it */
  fdOpen = true;

  constructor(readonly id: number) {}
}

export class SimGroup {
  holder: GroupHolder | null = null;
  /** our fd on /dev/vfio/N is open (device fds opened through a container keep the file alive after close) */
  userFdOpen = false;
  container: SimContainer | null = null;
  /** group->iommufd: an iommufd context serving as the group's container */
  iommufd: IommufdCtx | null = null;
  openDevices = 0;
  /**
   * devices opened through a type1 container: each holds a reference to the group file
   * (vfio_group_use_container's get_file), so closing our fd does not release the group.
   * A device opened through an iommufd (compat) takes none: the group is released at once.
   */
  fileRefs = 0;
  /** iommu_group owner / owner_cnt: the iommufd context its bound devices gave the group's DMA to */
  dmaOwner: { ctx: IommufdCtx; count: number } | null = null;
  /** igroup->hwpt: the domain the group is attached to through iommufd */
  hwpt: Hwpt | null = null;
  /** cdev_device_open_cnt: devices of the group bound through their cdev */
  cdevBound = 0;

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

  /** iommu_group_dma_owner_claimed() by a user: in a type1 container, bound to an iommufd, or held by a simulated VM */
  get userOwned(): boolean {
    return this.container !== null || this.dmaOwner !== null || this.holder?.kind === 'process';
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
  constructor(
    private readonly dmaEntryLimit: number,
    private readonly profile: KernelProfile,
    private readonly kernelLog?: SimKernelLog,
  ) {}

  /** open("/dev/vfio/N") */
  openGroup(g: SimGroup | undefined, id: number, holder: GroupHolder): SimGroup {
    if (!g) fail('ENOENT', 'open', `/dev/vfio/${id} does not exist`, { group: id });
    // a group file may be open once: vfio_group_fops_open refuses a second opener
    if (g.holder)
      fail('EBUSY', 'open', `/dev/vfio/${id} is already open${g.holder.kind === 'process' ? ` by pid ${g.holder.pid}` : ''}`, {
        group: id,
      });
    // ... and none while a device of the group is bound through its cdev
    if (g.cdevBound > 0) fail('EBUSY', 'open', `a device of group ${id} is bound through its cdev (/dev/vfio/devices)`, { group: id });
    g.holder = holder;
    g.userFdOpen = holder.kind === 'self';
    return g;
  }

  /**
   * VFIO_GROUP_GET_STATUS: with an iommufd the group reads viable until GET_DEVICE_FD says otherwise (group.c);
   * without a container, viable is !iommu_group_dma_owner_claimed(): a host driver, or a device of the group still
   * bound to an iommufd (left open after UNSET_CONTAINER or after the group file's release), claims it
   */
  status(g: SimGroup): GroupStatus {
    if (g.container || g.iommufd) return { viable: true, containerSet: true };
    return { viable: g.viable && g.dmaOwner === null, containerSet: false };
  }

  /** VFIO_GROUP_SET_CONTAINER: the fd is looked up first (EBADF), then the group (EINVAL), then what the fd is */
  setContainer(g: SimGroup, file: ContainerFile): void {
    const op = 'VFIO_GROUP_SET_CONTAINER';
    if (file.kind === 'closed') fail('EBADF', op, 'the container fd is not open', { group: g.id });
    const current = g.container ? `container ${g.container.id}` : g.iommufd ? `iommufd ${g.iommufd.fd}` : null;
    if (current) fail('EINVAL', op, `group ${g.id} is already in ${current}`, { group: g.id });
    if (file.kind === 'iommufd') {
      // iommufd_vfio_compat_ioas_create(): no DMA ownership claim yet (that is at GET_DEVICE_FD)
      file.ctx.compatIoas();
      file.ctx.groupsUsing++;
      g.iommufd = file.ctx;
      return;
    }
    if (file.kind === 'other')
      fail(this.profile.foreignContainerFdErrno, op, `the fd is ${file.what}, not a VFIO container`, { group: g.id });
    const c = file.container;
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

  /** VFIO_GROUP_UNSET_CONTAINER: EBUSY with device fds open — for a type1 container only */
  unsetContainer(g: SimGroup): void {
    const op = 'VFIO_GROUP_UNSET_CONTAINER';
    if (g.iommufd) {
      this.leaveIommufd(g);
      return;
    }
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

  /** the group leaves its iommufd context; devices already open stay bound and attached */
  private leaveIommufd(g: SimGroup): void {
    const ctx = g.iommufd!;
    g.iommufd = null;
    ctx.groupsUsing--;
    ctx.maybeRelease();
  }

  /** VFIO_GROUP_GET_DEVICE_FD: the name is looked up first (ENODEV), then the container (EINVAL) */
  openDevice(g: SimGroup, name: string): SimPciFunction {
    const op = 'VFIO_GROUP_GET_DEVICE_FD';
    const fn = g.functions.find((f) => f.bdf === name && isVfioDriver(f.driver) && f.vfio);
    if (!fn) fail('ENODEV', op, `no VFIO device named "${name}" in group ${g.id}`, { group: g.id, device: name });
    const vfio = fn.vfio!;
    if (g.iommufd) {
      if (vfio.openCount === 0) this.firstOpenIommufd(g, g.iommufd, fn, op);
      else vfio.openCount++;
    } else {
      if (!g.container?.iommu) fail('EINVAL', op, `group ${g.id} has no container with an IOMMU set`, { group: g.id, device: name });
      if (vfio.openCount++ === 0) {
        vfio.enable();
        g.fileRefs++;
      }
    }
    g.openDevices++;
    return fn;
  }

  /** vfio_df_open() through iommufd, then vfio_iommufd_compat_attach_ioas(); a failed attach closes the device again */
  private firstOpenIommufd(g: SimGroup, ctx: IommufdCtx, fn: SimPciFunction, op: string): void {
    const vfio = fn.vfio!;
    const idev = bindDevice(ctx, fn, g, op);
    vfio.iommufd = idev;
    vfio.openCount = 1;
    vfio.enable();
    try {
      if (!ctx.vfioIoas) fail('ENODEV', op, `iommufd ${ctx.fd} has no compat IOAS`, { group: g.id, device: fn.bdf });
      attachDevice(idev, ctx.vfioIoas.id, op);
    } catch (e) {
      vfio.openCount = 0;
      vfio.disable();
      vfio.iommufd = null;
      unbindDevice(idev);
      throw e;
    }
  }

  closeDevice(g: SimGroup, fn: SimPciFunction): void {
    const vfio = fn.vfio;
    if (vfio && --vfio.openCount === 0) {
      vfio.disable();
      if (vfio.iommufd) {
        unbindDevice(vfio.iommufd);
        vfio.iommufd = null;
      } else g.fileRefs--;
    }
    g.openDevices--;
    this.maybeRelease(g);
  }

  /** close() of our group fd; the file stays open while devices opened through a type1 container reference it */
  closeGroup(g: SimGroup): void {
    g.userFdOpen = false;
    this.maybeRelease(g);
  }

  /** vfio_group_fops_release(): devices opened through iommufd stay open, bound and attached */
  private maybeRelease(g: SimGroup): void {
    if (g.userFdOpen || g.fileRefs > 0 || g.holder?.kind !== 'self') return;
    if (g.container) this.detach(g);
    if (g.iommufd) this.leaveIommufd(g);
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
    c.iommu = new Type1Iommu(type, this.dmaEntryLimit, this.kernelLog);
  }

  /** the container ioctls passed to the IOMMU driver; without one the container answers EINVAL */
  iommu(c: SimContainer, op: string): Type1Iommu {
    if (!c.iommu) fail('EINVAL', op, 'no IOMMU is set on this container', { container: c.id });
    return c.iommu;
  }
}
