/**
 * The sim backend of the Host interface: an in-process model of the
 * kernel's VFIO objects and rules (packages/host-sim/src/kernel) driven by a
 * scenario. It behaves like the linux backend down to the errno of each
 * failure; the conformance suite holds both to that. The kernel it models is
 * the scenario's (or the options'): Linux 6.1 offers the type1 container
 * only; a 6.12-like kernel adds /dev/iommu and the device cdev, with
 * /dev/vfio/vfio served by type1 or by iommufd's compat code.
 */
import type {
  Bdf,
  CdevDevice,
  Container,
  DmaBuffer,
  EventFd,
  Group,
  GroupOwner,
  Host,
  HostInfo,
  Iommufd,
  IrqLine,
  KernelLogRead,
  Topology,
} from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import { VFIO_DMA_UNMAP_FLAG_ALL } from '@vfioscope/uapi';
import type { DeviceModel } from './devices/device-model.ts';
import type { Scenario, ScenarioDevice } from './scenarios/scenario-types.ts';
import { CdevFile } from './kernel/cdev.ts';
import { realClock, type SimClock } from './kernel/clock.ts';
import { SimEventFd } from './kernel/eventfd.ts';
import { fail } from './kernel/fail.ts';
import { SimContainerFd, SimDeviceFd, type SimFd, SimGroupFd, type FdHooks } from './kernel/fds.ts';
import { SimCdevFd, SimCompatContainerFd, SimIommufdFd } from './kernel/iommufd-fds.ts';
import { type ContainerBackend, kernelProfile } from './kernel/kernel-profile.ts';
import { hostInfo, irqLines, owners, topology } from './kernel/observe.ts';
import { isVfioDriver } from './kernel/pci-function.ts';
import { SIM_PAGE_SIZE, SimKernel } from './kernel/sim-kernel.ts';

/** The kernel the sim host models, over what its scenario says (kernel/kernel-profile.ts has the rules). */
export interface SimKernelOptions {
  /** uname -r; its version decides which uAPIs exist (default: the scenario's) */
  kernel?: string;
  /** who serves /dev/vfio/vfio (default: the scenario's, else type1) */
  iommu?: ContainerBackend;
  /** /dev/iommu exists (default: the scenario's, else from Linux 6.2) */
  iommufd?: boolean;
  /** the VFIO device cdev exists (default: the scenario's, else from Linux 6.6 with iommufd) */
  cdev?: boolean;
}

export interface SimHostOptions extends SimKernelOptions {
  scenario: Scenario;
  /** the device model of each scenario device */
  createModel: (device: ScenarioDevice) => DeviceModel;
  /** defaults to the wall clock */
  clock?: SimClock;
  /** this process's pid as owners() reports it; defaults to process.pid */
  pid?: number;
}

const COMM = 'vfioscope';

export class SimHost implements Host {
  readonly backend = 'sim' as const;
  readonly pageSize = SIM_PAGE_SIZE;
  readonly kernel: SimKernel;
  private readonly containers = new Set<SimContainerFd | SimCompatContainerFd>();
  private readonly groups = new Set<SimGroupFd>();
  /** device fds, from groups and cdevs */
  private readonly devices = new Set<SimDeviceFd>();
  private readonly iommufds = new Set<SimIommufdFd>();
  private readonly eventfds = new Set<SimEventFd>();
  private closed = false;
  private readonly fdHooks: FdHooks = {
    opened: (d) => this.devices.add(d),
    closed: (fd: SimFd) => {
      if (fd instanceof SimDeviceFd) this.devices.delete(fd);
      else if (fd instanceof SimGroupFd) this.groups.delete(fd);
      else if (fd instanceof SimIommufdFd) this.iommufds.delete(fd);
      else if (fd instanceof SimContainerFd || fd instanceof SimCompatContainerFd) this.containers.delete(fd);
    },
  };

  constructor(opts: SimHostOptions) {
    const s = opts.scenario;
    this.kernel = new SimKernel({
      scenario: s,
      createModel: opts.createModel,
      clock: opts.clock ?? realClock,
      pid: opts.pid ?? process.pid,
      profile: kernelProfile({
        release: opts.kernel ?? s.kernel,
        iommu: opts.iommu ?? s.iommu,
        iommufd: opts.iommufd ?? s.iommufd,
        cdev: opts.cdev ?? s.cdev,
      }),
    });
  }

  get clock(): SimClock {
    return this.kernel.clock;
  }

  private live(op: string): void {
    if (this.closed) fail('EBADF', op, 'the sim host is closed');
  }

  // ---- observe ----

  async hostInfo(): Promise<HostInfo> {
    return hostInfo(this.kernel);
  }

  async topology(): Promise<Topology> {
    return topology(this.kernel);
  }

  async owners(): Promise<GroupOwner[]> {
    return owners(this.kernel, COMM, `node vfioscope (${this.kernel.scenario.name})`);
  }

  async irqLines(): Promise<IrqLine[]> {
    this.kernel.advance();
    return irqLines(this.kernel);
  }

  async setIrqAffinity(irq: number, cpus: readonly number[]): Promise<void> {
    this.live('smp_affinity_list');
    this.kernel.setIrqAffinity(irq, cpus);
  }

  async bindDriver(bdf: Bdf, driver: string | null): Promise<void> {
    this.live('drivers_probe');
    this.kernel.bindDriver(bdf, driver);
  }

  async kernelLog(afterSeq: number): Promise<KernelLogRead> {
    this.live('read /dev/kmsg');
    // device models print as they run (a faulting DMA): bring them up to the clock first
    this.kernel.advance();
    return this.kernel.kernelLog.read(afterSeq);
  }

  // ---- drive ----

  async openContainer(): Promise<Container> {
    this.live('open');
    const backend = this.kernel.profile.uapi.container;
    if (backend === null) fail('ENOENT', 'open', '/dev/vfio/vfio does not exist on this kernel');
    const c = backend === 'type1' ? new SimContainerFd(this.kernel, this.fdHooks) : new SimCompatContainerFd(this.kernel, this.fdHooks);
    this.containers.add(c);
    return c;
  }

  async openGroup(id: number): Promise<Group> {
    this.live('open');
    const g = this.kernel.core.openGroup(this.kernel.groups.get(id), id, { kind: 'self' });
    const fd = new SimGroupFd(this.kernel, g, this.fdHooks);
    this.groups.add(fd);
    return fd;
  }

  async openIommufd(): Promise<Iommufd> {
    this.live('open');
    if (!this.kernel.profile.uapi.iommufd)
      fail('ENOENT', 'open', `/dev/iommu does not exist: kernel ${this.kernel.profile.release} has no iommufd`);
    const fd = new SimIommufdFd(this.kernel, this.fdHooks);
    this.iommufds.add(fd);
    return fd;
  }

  /** /dev/vfio/devices/vfioN exists for a device registered with vfio (bound to vfio-pci) on a kernel with the cdev */
  async openDeviceCdev(bdf: Bdf): Promise<CdevDevice> {
    this.live('open');
    if (!this.kernel.profile.uapi.cdev) {
      fail('ENOENT', 'open', `/dev/vfio/devices does not exist: kernel ${this.kernel.profile.release} has no VFIO device cdev`, {
        device: bdf,
      });
    }
    const fn = this.kernel.functions.get(bdf);
    if (!fn?.vfio || !isVfioDriver(fn.driver))
      fail('ENOENT', 'open', `${bdf} has no VFIO device cdev: it is not bound to vfio-pci`, { device: bdf });
    const g = this.kernel.groups.get(fn.group)!;
    const d = new SimCdevFd(this.kernel, g, fn, this.kernel.allocFd('cdev'), this.fdHooks, new CdevFile(fn, fn.vfio, g));
    this.fdHooks.opened(d);
    return d;
  }

  async createEventFd(): Promise<EventFd> {
    this.live('eventfd');
    const e = new SimEventFd(
      this.kernel.newEventFd(),
      () => this.kernel.advance(),
      (closed) => {
        this.eventfds.delete(closed);
        this.kernel.eventfds.delete(closed.fd);
        this.kernel.releaseFd(closed.fd);
      },
    );
    this.eventfds.add(e);
    return e;
  }

  async allocDmaBuffer(size: bigint): Promise<DmaBuffer> {
    this.live('mmap');
    return this.kernel.space.mmap(size);
  }

  async drainEventFds(fds: readonly EventFd[]): Promise<number[]> {
    this.kernel.advance();
    return fds.map((e) => {
      if (!(e instanceof SimEventFd)) fail('EBADF', 'read', `fd ${e.fd} is not an eventfd of this host`);
      return e.drainSync();
    });
  }

  // ---- sim only ----

  /**
   * Make another process (a simulated QEMU) hold group `group` open and in
   * its own container — or, with `via: 'cdev'`, hold its devices through
   * their cdevs and its own iommufd — as `holdGroupElsewhere` in the
   * conformance target needs. EBUSY when the group is already held. Returns
   * the release.
   */
  holdGroupElsewhere(group: number, proc: { pid?: number; comm?: string; via?: 'group' | 'cdev' } = {}): () => void {
    const g = this.kernel.groups.get(group);
    if (!g) fail('ENOENT', 'open', `/dev/vfio/${group} does not exist`, { group });
    if (g.holder || g.cdevBound > 0 || g.dmaOwner) fail('EBUSY', 'open', `/dev/vfio/${group} is already open`, { group });
    let pid = proc.pid ?? 90000 + group;
    while (this.kernel.processes.has(pid) || pid === this.kernel.pid) pid++;
    const comm = proc.comm ?? 'qemu-system-x86';
    this.kernel.addProcess({
      pid,
      comm,
      cmdline:
        proc.via === 'cdev'
          ? `${comm} -object iommufd,id=iommufd0 -device vfio-pci,host=...,iommufd=iommufd0`
          : `${comm} -device vfio-pci,host=...`,
      groups: [group],
      ...(proc.via ? { via: proc.via } : {}),
      lockedBytes: 0,
      pinnedBytes: 0,
      memlockLimit: null,
    });
    return () => this.kernel.removeProcess(pid);
  }

  /**
   * Teardown in the kernel's order: type1 mappings, device fds (IRQs off; a
   * cdev unbinds, which unpins), groups unset and closed, containers and
   * iommufds (the last reference destroys their IOASes and mappings), then
   * memory.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const quiet = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (e) {
        if (!(e instanceof VfioError)) throw e;
      }
    };
    for (const c of [...this.containers]) {
      if (c instanceof SimContainerFd && c.isOpen && c.state.iommu) {
        await quiet(() => c.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }));
      }
    }
    for (const d of [...this.devices]) if (d.isOpen) await quiet(() => d.close());
    for (const g of [...this.groups]) {
      if (!g.isOpen) continue;
      if (g.state.container || g.state.iommufd) await quiet(() => g.unsetContainer());
      await quiet(() => g.close());
    }
    for (const c of [...this.containers]) if (c.isOpen) await quiet(() => c.close());
    for (const i of [...this.iommufds]) if (i.isOpen) await quiet(() => i.close());
    for (const e of [...this.eventfds]) if (!e.ctx.userClosed) await quiet(() => e.close());
    for (const b of this.kernel.space.liveBuffers()) await quiet(() => b.free());
    this.closed = true;
  }
}
