/**
 * The simulated kernel as a whole: the PCI functions of a scenario with
 * their device models, the IOMMU groups, the VFIO core, the processes that
 * hold groups, this process's memory, and the clock. Device models reach
 * the kernel only through the DeviceBus built here: interrupts are routed
 * to vfio-pci (our fds) or counted for the simulated VM that owns the
 * device, and bus-master DMA goes through the IOMMU domain of the device's
 * group: its type1 container's, or the iommufd HWPT it is attached to.
 */
import type { DeviceBus, DeviceModel } from '../devices/device-model.ts';
import type { Scenario, ScenarioDevice, ScenarioProcess } from '../scenarios/scenario-types.ts';
import { ScriptRunner } from '../scenarios/script/script-runner.ts';
import { VfioError } from '@vfioscope/host';
import { ProcessAddressSpace } from './address-space.ts';
import type { SimClock } from './clock.ts';
import { KERN_ERR, SimKernelLog, dmarFaultLine } from './kernel-log.ts';
import { bindDriver } from './driver-binding.ts';
import { SimEventFdCtx } from './eventfd.ts';
import { fail } from './fail.ts';
import { firmwarePciSetup } from './firmware-pci-setup.ts';
import { IommufdCtx } from './iommufd.ts';
import type { KernelProfile } from './kernel-profile.ts';
import { SimPciFunction, isVfioDriver } from './pci-function.ts';
import { SimUser } from './pin-accounting.ts';
import { type ContainerFile, type SimContainer, SimGroup, VfioCore } from './vfio-group.ts';
import { VfioPciDevice } from './vfio-pci-device.ts';
import { bestCpu, deliverIrq, newHostIrqLine, setLineAffinity } from './irq-delivery.ts';
import { type HostIrqLine, IRQ_INDEX_NAMES } from './vfio-pci-irqs.ts';

export const SIM_PAGE_SIZE = 4096;
/** what an open fd of the simulated process refers to ('iommufd': /dev/iommu, or /dev/vfio/vfio served by iommufd) */
export type OpenFileKind = 'stdio' | 'container' | 'group' | 'device' | 'eventfd' | 'iommufd' | 'cdev';
/** first host IRQ number handed to VFIO vectors (below are the legacy and platform IRQs) */
const FIRST_DYNAMIC_IRQ = 120;

export interface SimKernelOptions {
  scenario: Scenario;
  createModel: (device: ScenarioDevice) => DeviceModel;
  clock: SimClock;
  pid: number;
  profile: KernelProfile;
}

export class SimKernel {
  readonly scenario: Scenario;
  readonly clock: SimClock;
  readonly pid: number;
  readonly functions = new Map<string, SimPciFunction>();
  readonly groups = new Map<number, SimGroup>();
  readonly core: VfioCore;
  /** printk's ring, read through Host.kernelLog */
  readonly kernelLog: SimKernelLog;
  readonly space: ProcessAddressSpace;
  /** the kernel's version and uAPIs */
  readonly profile: KernelProfile;
  /** vfioscope's user (user->locked_vm, which iommufd charges) */
  readonly user = new SimUser();
  /** processes other than us holding groups: the scenario's, plus any a test adds */
  readonly processes = new Map<number, ScenarioProcess>();
  private nextIrq = FIRST_DYNAMIC_IRQ;
  private nextFd = 3;
  /** eventfd contexts by fd, so SET_IRQS can resolve the fds it is given */
  readonly eventfds = new Map<number, SimEventFdCtx>();
  /**
   * This process's open fds and what each is: stdin, stdout and stderr are
   * open from the start (a probe passing fd 1 as an "eventfd" hands the
   * kernel an open file that is not an eventfd). Numbers are not reused.
   */
  private readonly openFds = new Map<number, OpenFileKind>([
    [0, 'stdio'],
    [1, 'stdio'],
    [2, 'stdio'],
  ]);
  /** the scenario's script, played on the clock from the kernel's start (null without one) */
  readonly script: ScriptRunner | null;
  /** the kernel object behind a container or iommufd fd (what fdget + f_op find) */
  private readonly fileObjects = new Map<number, SimContainer | IommufdCtx>();

  constructor(opts: SimKernelOptions) {
    this.scenario = opts.scenario;
    this.clock = opts.clock;
    this.pid = opts.pid;
    this.profile = opts.profile;
    this.kernelLog = new SimKernelLog(opts.clock);
    this.core = new VfioCore(opts.scenario.dmaEntryLimit, opts.profile, this.kernelLog);
    this.space = new ProcessAddressSpace(opts.pid, opts.scenario.memlockLimit, SIM_PAGE_SIZE);
    for (const dev of opts.scenario.devices) {
      if (this.functions.has(dev.bdf)) throw new Error(`scenario ${opts.scenario.name}: duplicate device ${dev.bdf}`);
      const fn = new SimPciFunction(dev, opts.createModel(dev));
      this.functions.set(dev.bdf, fn);
      let g = this.groups.get(dev.group);
      if (!g) {
        g = new SimGroup(dev.group, []);
        this.groups.set(dev.group, g);
      }
      g.functions.push(fn);
      if (isVfioDriver(fn.driver)) this.registerVfio(fn);
      fn.bus = this.busFor(fn);
      fn.model.attach(fn.bus);
    }
    firmwarePciSetup(this.functions.values());
    for (const p of opts.scenario.processes) this.addProcess(p);
    this.script = opts.scenario.script ? new ScriptRunner(this, opts.scenario.script, opts.scenario.name) : null;
  }

  allocFd(kind: OpenFileKind): number {
    const fd = this.nextFd++;
    this.openFds.set(fd, kind);
    return fd;
  }

  /** close(2) of one of our fds */
  releaseFd(fd: number): void {
    this.openFds.delete(fd);
    this.fileObjects.delete(fd);
  }

  /** a type1 container's fd: its container */
  registerContainerFile(fd: number, c: SimContainer): void {
    this.fileObjects.set(fd, c);
  }

  /** open("/dev/iommu") (`compat` false) or open("/dev/vfio/vfio") served by iommufd: a new context */
  openIommufdCtx(compat: boolean, onRelease: (ctx: IommufdCtx) => void = () => {}): IommufdCtx {
    const fd = this.allocFd('iommufd');
    // iommufd_fops_open(): /dev/vfio/vfio charges like vfio (the mm), /dev/iommu per user
    const ctx = new IommufdCtx(fd, { space: this.space, user: this.user, mode: compat ? 'mm' : 'user' }, compat, onRelease);
    this.fileObjects.set(fd, ctx);
    return ctx;
  }

  /** What VFIO_GROUP_SET_CONTAINER finds at fd `fd` */
  containerFile(fd: number): ContainerFile {
    const kind = Number.isInteger(fd) ? this.openFds.get(fd) : undefined;
    if (kind === undefined) return { kind: 'closed' };
    const obj = this.fileObjects.get(fd);
    if (kind === 'container' && obj && !(obj instanceof IommufdCtx)) return { kind: 'container', container: obj };
    if (kind === 'iommufd' && obj instanceof IommufdCtx) return { kind: 'iommufd', ctx: obj };
    return { kind: 'other', what: `a ${kind} file` };
  }

  /** iommufd_ctx_from_fd(): EBADF when nothing is open at `fd`, EBADFD when it is not an iommufd */
  iommufdAt(fd: number, op: string): IommufdCtx {
    const kind = this.openFds.get(fd);
    if (kind === undefined) fail('EBADF', op, `fd ${fd} is not open`, { field: 'iommufd' });
    const obj = this.fileObjects.get(fd);
    if (!(obj instanceof IommufdCtx)) fail('EBADFD', op, `fd ${fd} is a ${kind} file, not an iommufd`, { field: 'iommufd' });
    return obj;
  }

  /** vfio_pci_core_register_device(): the function becomes a vfio_device */
  registerVfio(fn: SimPciFunction): void {
    fn.vfio = new VfioPciDevice(
      fn.bdf,
      fn.model,
      fn.cfg,
      {
        requestIrq: (index, vector) => this.requestIrq(index, vector),
        eventfdCtx: (fd) => this.eventfdCtx(fd),
      },
      this.profile.barAccessPiece,
    );
  }

  /**
   * eventfd_ctx_fdget(): the ioctl sees only the fd number. EBADF when no
   * file is open at that number (fdget fails); EINVAL when the file is open
   * but is not an eventfd (eventfd_ctx_fileget checks f_op) — Linux 6.1 in
   * the e2e/kernel guest answered EINVAL for fd 1.
   */
  eventfdCtx(fd: unknown): SimEventFdCtx {
    const op = 'VFIO_DEVICE_SET_IRQS';
    const n = (fd as { fd?: unknown } | null)?.fd;
    const kind = typeof n === 'number' ? this.openFds.get(n) : undefined;
    if (kind === undefined) fail('EBADF', op, `fd ${String(n)} is not open`, { field: 'data' });
    const ctx = kind === 'eventfd' ? this.eventfds.get(n as number) : undefined;
    if (!ctx || ctx.userClosed) fail('EINVAL', op, `fd ${String(n)} is a ${kind} file, not an eventfd`, { field: 'data' });
    return ctx;
  }

  newEventFd(): SimEventFdCtx {
    const ctx = new SimEventFdCtx(this.allocFd('eventfd'));
    this.eventfds.set(ctx.fd, ctx);
    return ctx;
  }

  /** A process (a VM) holding groups; its devices' load shows on its IRQ lines. */
  addProcess(p: ScenarioProcess): void {
    if (this.processes.has(p.pid) || p.pid === this.pid) throw new Error(`pid ${p.pid} already exists`);
    const via = p.via ?? 'group';
    if (via === 'cdev' && !this.profile.uapi.cdev)
      throw new Error(`process ${p.pid} holds its groups through cdevs, which kernel ${this.profile.release} has not`);
    for (const id of p.groups) {
      const g = this.groups.get(id);
      if (!g) throw new Error(`process ${p.pid} holds unknown group ${id}`);
      this.core.openGroup(g, id, { kind: 'process', pid: p.pid, via });
    }
    this.processes.set(p.pid, p);
    for (const id of p.groups) for (const fn of this.groups.get(id)!.functions) this.createForeignLines(fn);
  }

  removeProcess(pid: number): void {
    const p = this.processes.get(pid);
    if (!p) return;
    for (const id of p.groups) {
      const g = this.groups.get(id)!;
      g.holder = null;
      for (const fn of g.functions) fn.foreignLines.clear();
    }
    this.processes.delete(pid);
  }

  /** the VM set up the vectors its load profile uses */
  private createForeignLines(fn: SimPciFunction): void {
    const counts = new Map(fn.model.irqs().map((i) => [i.index, i.count]));
    // one count of the CPUs' lines for the whole device, kept up to date as its lines land: a
    // recount per line made a scenario's set-up quadratic in its lines (2.4 s for 4,096)
    const load = this.cpuLoad();
    for (const spec of fn.spec.irqLoad ?? []) {
      const index = IRQ_INDEX_NAMES.indexOf(spec.index);
      const n = counts.get(index) ?? 0;
      const vectors = spec.vector === 'all' ? [...Array(n).keys()] : spec.vector < n ? [spec.vector] : [];
      for (const v of vectors) this.foreignLine(fn, index, v, load);
    }
  }

  /** `load`: the caller's count of lines per CPU, kept up to date here when a line is made */
  private foreignLine(fn: SimPciFunction, index: number, vector: number, load?: number[]) {
    const key = `${index}/${vector}`;
    let line = fn.foreignLines.get(key);
    if (!line) {
      line = this.requestIrq(index, vector, load);
      if (load) load[line.effective]!++;
      fn.foreignLines.set(key, line);
    }
    return line;
  }

  /**
   * request_irq(): a fresh IRQ number, default affinity, on the least loaded CPU (irq-delivery.ts);
   * `load` is the lines per CPU right now when the caller keeps that count
   */
  private requestIrq(index: number, vector: number, load = this.cpuLoad()): HostIrqLine {
    const cpus = this.scenario.cpus;
    return newHostIrqLine(this.nextIrq++, index, vector, cpus, bestCpu([...Array(cpus).keys()], load));
  }

  /** every live host IRQ line: vfio-pci's of devices open here, and those of VMs' devices */
  hostIrqLines(): { bdf: string; line: HostIrqLine }[] {
    const out: { bdf: string; line: HostIrqLine }[] = [];
    for (const fn of this.functions.values()) {
      if (fn.vfio && fn.vfio.openCount > 0) for (const line of fn.vfio.irqs.lines()) out.push({ bdf: fn.bdf, line });
      for (const line of fn.foreignLines.values()) out.push({ bdf: fn.bdf, line });
    }
    return out;
  }

  /** lines targeted at each CPU: the vector matrix's allocation count */
  private cpuLoad(): number[] {
    const load = new Array<number>(this.scenario.cpus).fill(0);
    for (const { line } of this.hostIrqLines()) load[line.effective]!++;
    return load;
  }

  /** write /proc/irq/<irq>/smp_affinity_list; ENOENT when no such IRQ is allocated */
  setIrqAffinity(irq: number, cpus: readonly number[]): void {
    const found = this.hostIrqLines().find((l) => l.line.irq === irq);
    if (!found) fail('ENOENT', 'smp_affinity_list', `no IRQ ${irq} (/proc/irq/${irq} does not exist)`, { field: 'irq' });
    setLineAffinity(found.line, cpus, this.scenario.cpus, this.cpuLoad());
  }

  private busFor(fn: SimPciFunction): DeviceBus {
    const lookup = (iova: bigint, length: number, write: boolean) => {
      const g = this.groups.get(fn.group);
      const type1 = g?.container?.iommu;
      if (type1) return type1.translate(iova, length, write);
      if (g?.hwpt) return g.hwpt.ioas.iopt.translate(iova, length, write);
      fail('EFAULT', 'DMA', `DMAR fault: ${fn.bdf} is not attached to an IOMMU domain`, { device: fn.bdf });
    };
    const translate = (iova: bigint, length: number, write: boolean) => {
      try {
        return lookup(iova, length, write);
      } catch (e) {
        if (e instanceof VfioError && e.errno === 'EFAULT') this.kernelLog.printk(KERN_ERR, dmarFaultLine(fn.bdf, iova, write));
        throw e;
      }
    };
    return {
      raiseIrq: (index, vector, times = 1) => this.routeIrq(fn, index, vector, times),
      dmaRead: (iova, length) => {
        const out = new Uint8Array(length);
        let at = 0;
        for (const c of translate(iova, length, false)) {
          out.set(c.backing.read(c.offset, c.n), at);
          at += c.n;
        }
        return out;
      },
      dmaWrite: (iova, data) => {
        let at = 0;
        for (const c of translate(iova, data.length, true)) {
          c.backing.write(c.offset, data.subarray(at, at + c.n));
          at += c.n;
        }
      },
      now: () => this.clock.now(),
    };
  }

  private routeIrq(fn: SimPciFunction, index: number, vector: number, times: number): void {
    if (times <= 0) return;
    if (fn.vfio && fn.vfio.openCount > 0) {
      fn.vfio.irqs.raise(index, vector, times);
      return;
    }
    const g = this.groups.get(fn.group);
    if (g?.holder?.kind === 'process' && index <= 2) deliverIrq(this.foreignLine(fn, index, vector), times);
    // otherwise nobody requested the interrupt: it is lost
  }

  /** Bring every device model up to the clock; called before anything observes device effects. */
  advance(): void {
    const now = this.clock.now();
    // the script first: a VM it starts by now has its vectors when the devices raise their load
    this.script?.advance(now);
    for (const fn of this.functions.values()) fn.model.advance(now);
  }

  bindDriver(bdf: string, driver: string | null): void {
    bindDriver(this, bdf, driver);
  }
}
