/**
 * The sim backend of the Host interface: an in-process model of the
 * kernel's VFIO objects and rules (packages/host-sim/src/kernel) driven by a
 * scenario. It behaves like the linux backend down to the errno of each
 * failure; the conformance suite holds both to that.
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
  Topology,
} from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import { VFIO_DMA_UNMAP_FLAG_ALL } from '@vfioscope/uapi';
import type { DeviceModel } from './devices/device-model.ts';
import type { Scenario, ScenarioDevice } from './scenarios/scenario-types.ts';
import { realClock, type SimClock } from './kernel/clock.ts';
import { SimEventFd } from './kernel/eventfd.ts';
import { fail } from './kernel/fail.ts';
import { SimContainerFd, SimDeviceFd, SimGroupFd, type FdHooks } from './kernel/fds.ts';
import { hostInfo, irqLines, owners, topology } from './kernel/observe.ts';
import { SIM_PAGE_SIZE, SimKernel } from './kernel/sim-kernel.ts';

export interface SimHostOptions {
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
  private readonly containers = new Set<SimContainerFd>();
  private readonly groups = new Set<SimGroupFd>();
  private readonly devices = new Set<SimDeviceFd>();
  private readonly eventfds = new Set<SimEventFd>();
  private closed = false;
  private readonly fdHooks: FdHooks = {
    opened: (d) => this.devices.add(d),
    closed: (fd) => {
      if (fd instanceof SimDeviceFd) this.devices.delete(fd);
      else if (fd instanceof SimGroupFd) this.groups.delete(fd);
      else this.containers.delete(fd);
    },
  };

  constructor(opts: SimHostOptions) {
    this.kernel = new SimKernel({
      scenario: opts.scenario,
      createModel: opts.createModel,
      clock: opts.clock ?? realClock,
      pid: opts.pid ?? process.pid,
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

  async bindDriver(bdf: Bdf, driver: string | null): Promise<void> {
    this.live('drivers_probe');
    this.kernel.bindDriver(bdf, driver);
  }

  // ---- drive ----

  async openContainer(): Promise<Container> {
    this.live('open');
    const c = new SimContainerFd(this.kernel, this.fdHooks);
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
    throw new VfioError('ENOENT', 'open', '/dev/iommu: the sim does not model iommufd yet', { field: 'iommu' });
  }

  async openDeviceCdev(bdf: Bdf): Promise<CdevDevice> {
    this.live('open');
    throw new VfioError('ENOENT', 'open', `/dev/vfio/devices: the sim does not model the VFIO device cdev yet (${bdf})`, { device: bdf });
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
   * its own container, as `holdGroupElsewhere` in the conformance target
   * needs. EBUSY when the group is already held. Returns the release.
   */
  holdGroupElsewhere(group: number, proc: { pid?: number; comm?: string } = {}): () => void {
    const g = this.kernel.groups.get(group);
    if (!g) fail('ENOENT', 'open', `/dev/vfio/${group} does not exist`, { group });
    if (g.holder) fail('EBUSY', 'open', `/dev/vfio/${group} is already open`, { group });
    let pid = proc.pid ?? 90000 + group;
    while (this.kernel.processes.has(pid) || pid === this.kernel.pid) pid++;
    const comm = proc.comm ?? 'qemu-system-x86';
    this.kernel.addProcess({
      pid,
      comm,
      cmdline: `${comm} -device vfio-pci,host=...`,
      groups: [group],
      lockedBytes: 0,
      pinnedBytes: 0,
      memlockLimit: null,
    });
    return () => this.kernel.removeProcess(pid);
  }

  /** Teardown in the kernel's order: mappings, device fds (IRQs off), groups unset and closed, containers, then memory. */
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
      if (c.isOpen && c.state.iommu) await quiet(() => c.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }));
    }
    for (const d of [...this.devices]) if (d.isOpen) await quiet(() => d.close());
    for (const g of [...this.groups]) {
      if (!g.isOpen) continue;
      if (g.state.container) await quiet(() => g.unsetContainer());
      await quiet(() => g.close());
    }
    for (const c of [...this.containers]) if (c.isOpen) await quiet(() => c.close());
    for (const e of [...this.eventfds]) if (!e.ctx.userClosed) await quiet(() => e.close());
    for (const b of this.kernel.space.liveBuffers()) await quiet(() => b.free());
    this.closed = true;
  }
}
