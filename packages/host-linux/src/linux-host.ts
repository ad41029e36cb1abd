/**
 * The linux backend of the Host interface: observe mode from sysfs/procfs,
 * drive mode through real VFIO fds (via the libc seam), in both uAPIs: the
 * legacy container + group files, and iommufd (/dev/iommu, IOAS) with device
 * cdevs. One LinuxHost owns every fd it opens and releases them in the
 * kernel's teardown order (@vfioscope/host's Teardown) on close(), and — when
 * asked to — on SIGINT/SIGTERM.
 */
import { join } from 'node:path';
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
import { LinuxDmaBuffer } from './drive/dma-buffer.ts';
import { EventFdSet } from './drive/eventfds.ts';
import { LinuxCdevDevice } from './drive/linux-cdev-device.ts';
import { LinuxContainer } from './drive/linux-container.ts';
import { LinuxGroup } from './drive/linux-group.ts';
import { LinuxIommufd } from './drive/linux-iommufd.ts';
import { Resources } from './drive/resources.ts';
import { bindDriver } from './observe/bind-driver.ts';
import { readText } from './observe/fs-read.ts';
import { readHostInfo } from './observe/host-info.ts';
import { KmsgReader } from './observe/kmsg-reader.ts';
import { readTopology } from './observe/iommu-groups.ts';
import { readIrqAffinity, writeIrqAffinity } from './observe/irq-affinity.ts';
import { parseProcInterrupts } from './observe/proc-interrupts.ts';
import { readOwners } from './observe/proc-owners.ts';
import { DEFAULT_ROOTS, type LinuxRoots } from './observe/roots.ts';
import { cdevNameOf, cdevPath, iommuGroupOf } from './observe/vfio-cdev.ts';
import * as libc from './syscalls/libc.ts';

export interface LinuxHostOptions {
  /** where sysfs, procfs and /dev are (tests point these at a fake tree) */
  roots?: Partial<LinuxRoots>;
  /**
   * Release everything on SIGINT/SIGTERM, then exit with 128+signal. Default
   * false: a server that owns the process installs its own handlers and
   * calls close().
   */
  handleSignals?: boolean;
}

export class LinuxHost implements Host {
  readonly backend = 'linux' as const;
  readonly pageSize: number;
  readonly roots: LinuxRoots;
  private readonly resources = new Resources();
  private readonly eventFds = new EventFdSet(this.resources);
  private closed = false;
  private readonly signalHandlers: [NodeJS.Signals, () => void][] = [];

  constructor(opts: LinuxHostOptions = {}) {
    this.roots = { ...DEFAULT_ROOTS, ...opts.roots };
    this.pageSize = libc.sysconf(libc._SC_PAGESIZE) || 4096;
    if (opts.handleSignals) this.installSignalHandlers();
  }

  private installSignalHandlers(): void {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        this.closeSync();
        process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      };
      process.once(sig, handler);
      this.signalHandlers.push([sig, handler]);
    }
  }

  private guard(op: string): void {
    if (this.closed) throw VfioError.fromErrno(9 /* EBADF */, op, 'the linux host is closed');
  }

  // ---- observe ----

  async hostInfo(): Promise<HostInfo> {
    return readHostInfo(this.roots, this.pageSize);
  }

  async topology(): Promise<Topology> {
    return readTopology(this.roots);
  }

  async owners(): Promise<GroupOwner[]> {
    return readOwners(this.roots, process.pid);
  }

  async irqLines(): Promise<IrqLine[]> {
    const text = readText(join(this.roots.proc, 'interrupts'));
    if (text === null) return [];
    return parseProcInterrupts(text).vfio.map((l) => ({ ...l, ...readIrqAffinity(this.roots, l.irq) }));
  }

  async setIrqAffinity(irq: number, cpus: readonly number[]): Promise<void> {
    writeIrqAffinity(this.roots, irq, cpus);
  }

  async bindDriver(bdf: Bdf, driver: string | null): Promise<void> {
    bindDriver(this.roots, bdf, driver);
  }

  private kmsg: KmsgReader | null = null;

  async kernelLog(afterSeq: number): Promise<KernelLogRead> {
    this.kmsg ??= new KmsgReader(this.roots);
    return this.kmsg.read(afterSeq);
  }

  // ---- drive ----

  async openContainer(): Promise<Container> {
    this.guard('open');
    const fd = libc.openFile(join(this.roots.dev, 'vfio/vfio'), libc.O_RDWR | libc.O_CLOEXEC);
    return new LinuxContainer(fd, this.resources, this.pageSize);
  }

  async openGroup(id: number): Promise<Group> {
    this.guard('open');
    const fd = libc.openFile(join(this.roots.dev, 'vfio', String(id)), libc.O_RDWR | libc.O_CLOEXEC, { group: id });
    return new LinuxGroup(id, fd, this.resources);
  }

  async openIommufd(): Promise<Iommufd> {
    this.guard('open');
    const fd = libc.openFile(join(this.roots.dev, 'iommu'), libc.O_RDWR | libc.O_CLOEXEC);
    return new LinuxIommufd(fd, this.resources, this.pageSize);
  }

  async openDeviceCdev(bdf: Bdf): Promise<CdevDevice> {
    this.guard('open');
    const name = cdevNameOf(this.roots, bdf);
    if (name === null) {
      throw VfioError.fromErrno(2 /* ENOENT */, 'open', `${bdf} has no VFIO device cdev (not on a VFIO driver, or no such device)`, {
        device: bdf,
      });
    }
    const fd = libc.openFile(cdevPath(this.roots, name), libc.O_RDWR | libc.O_CLOEXEC, { device: bdf });
    return new LinuxCdevDevice(bdf, iommuGroupOf(this.roots, bdf) ?? -1, name, fd, this.resources);
  }

  async createEventFd(): Promise<EventFd> {
    this.guard('eventfd');
    return this.eventFds.create();
  }

  async allocDmaBuffer(size: bigint): Promise<DmaBuffer> {
    this.guard('mmap');
    return LinuxDmaBuffer.alloc(size, this.pageSize, this.resources);
  }

  async drainEventFds(fds: readonly EventFd[]): Promise<number[]> {
    return this.eventFds.drainSync(fds);
  }

  /** Teardown in the kernel's order; errors are collected, not thrown, so that everything is attempted. */
  closeSync(): unknown[] {
    if (this.closed) return [];
    this.closed = true;
    for (const [sig, handler] of this.signalHandlers) process.off(sig, handler);
    const failures = this.resources.releaseAllSync();
    this.eventFds.releaseSync();
    this.kmsg?.close();
    return failures.map((f) => f.error);
  }

  async close(): Promise<void> {
    const errors = this.closeSync();
    if (errors.length > 0) throw errors[0];
  }
}

export function createLinuxHost(opts: LinuxHostOptions = {}): LinuxHost {
  return new LinuxHost(opts);
}
