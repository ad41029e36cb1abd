/**
 * Follows the kernel log (Host.kernelLog) and turns the messages the parser
 * recognises into events of kind `kernel` — the kernel's text kept, the
 * parsed fields, the device/group/owner they name — plus alerts where a
 * message means trouble:
 *
 * - a fault storm: FAULT_STORM_COUNT or more IOMMU faults from one device
 *   within FAULT_STORM_WINDOW_MS (the kernel ratelimits its own fault prints,
 *   drivers/iommu/intel/dmar.c dmar_fault(), so a handful seen is already many
 *   done); raised once per device until it stays quiet for a window;
 * - a pin refused by RLIMIT_MEMLOCK (drivers/vfio/vfio_iommu_type1.c);
 * - an IRQ the kernel disabled (kernel/irq/spurious.c note_interrupt(): the
 *   line stays off until reboot or until it is freed and requested again).
 *
 * History already in the ring when following starts is skipped: the event
 * log outlives restarts, and the ring's past would be logged again each time.
 */
import type { GroupOwner, Host, KernelMessage, KernelMessageKind, Topology } from '@vfioscope/host';
import type { EventLog } from './event-log.ts';
import { KernelAttribution } from './kernel-attribution.ts';

export const FAULT_STORM_COUNT = 10;
export const FAULT_STORM_WINDOW_MS = 10_000;

export interface KernelCount {
  bdf: string;
  kind: KernelMessageKind;
  n: number;
}

export class KernelLogFollower {
  private nextSeq: number | null = null;
  private unavailable: string | null = null;
  private readonly counts = new Map<string, KernelCount>();
  private readonly attribution = new KernelAttribution();
  private readonly recentFaults = new Map<string, number[]>();
  private readonly stormOpen = new Set<string>();

  constructor(
    private readonly host: Host,
    private readonly eventLog: EventLog,
  ) {}

  /** why the kernel log cannot be read (null while it can) */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  /** messages seen per device and kind since following began (device '' when none is named) */
  countsByDevice(): KernelCount[] {
    return [...this.counts.values()];
  }

  async poll(now: number, topology: Topology | null, owners: readonly GroupOwner[]): Promise<void> {
    const r = await this.host.kernelLog(this.nextSeq ?? -1);
    if (!r.ok) {
      if (this.unavailable !== r.reason) {
        this.unavailable = r.reason;
        this.eventLog.append({ kind: 'info', op: 'kernelLog', errno: r.errno, message: `kernel messages unavailable: ${r.reason}` });
      }
      return;
    }
    this.unavailable = null;
    this.attribution.see(owners, now);
    const first = this.nextSeq === null;
    this.nextSeq = r.nextSeq;
    if (first) return;
    if (r.lost > 0)
      this.eventLog.append({ kind: 'info', op: 'kernelLog', message: `${r.lost} kernel messages were overwritten before they were read` });
    for (const record of r.records) {
      const m = record.message;
      if (!m) continue;
      const { device, group, owner, by } = this.attribution.attribute(m, topology, owners);
      const pid = m.pid ?? owner?.pid;
      this.eventLog.append({
        kind: 'kernel',
        op: m.kind,
        message: record.text,
        ...(device ? { device } : {}),
        ...(group !== undefined ? { group } : {}),
        data: {
          ...m,
          seq: record.seq,
          priority: record.priority,
          tsUsec: record.tsUsec,
          ...(pid !== undefined ? { pid } : {}),
          ...(owner && m.comm === undefined ? { comm: owner.comm } : {}),
          ...(by ? { attributedBy: by } : {}),
        },
      });
      this.count(m);
      this.alertFor(m, now, pid);
    }
  }

  private count(m: KernelMessage): void {
    const key = `${m.bdf ?? ''}\0${m.kind}`;
    const c = this.counts.get(key) ?? { bdf: m.bdf ?? '', kind: m.kind, n: 0 };
    c.n++;
    this.counts.set(key, c);
  }

  private alertFor(m: KernelMessage, now: number, pid: number | undefined): void {
    if (m.kind === 'iommu-fault' && m.bdf) {
      const times = (this.recentFaults.get(m.bdf) ?? []).filter((t) => now - t < FAULT_STORM_WINDOW_MS);
      if (times.length === 0) this.stormOpen.delete(m.bdf);
      times.push(now);
      this.recentFaults.set(m.bdf, times);
      if (times.length >= FAULT_STORM_COUNT && !this.stormOpen.has(m.bdf)) {
        this.stormOpen.add(m.bdf);
        this.alert(
          m.bdf,
          'iommu-fault-storm',
          `IOMMU fault storm on ${m.bdf}: ${times.length} faults in ${FAULT_STORM_WINDOW_MS / 1000} s (last at ${m.address ?? '?'}). The device's user programs DMA to IOVAs it has not mapped (or mapped read-only): check its driver's DMA addresses against the container's mappings; reset or release the device if it keeps on.`,
        );
      }
    } else if (m.kind === 'memlock-exceeded') {
      this.alert(
        m.bdf,
        'memlock-exceeded',
        `a DMA mapping was refused: RLIMIT_MEMLOCK (${m.limit ?? '?'} bytes) exceeded${m.comm ? ` by ${m.comm} (pid ${m.pid})` : pid !== undefined ? ` (pid ${pid})` : ''}. Raise the owner's memlock limit (ulimit -l, LimitMEMLOCK= in its systemd unit, or libvirt's <memtune><hard_limit>) to cover all guest RAM it maps.`,
      );
    } else if (m.kind === 'irq-disabled') {
      this.alert(
        m.bdf,
        'irq-disabled',
        `the kernel disabled IRQ ${m.irq}: 99 900 of 100 000 interrupts on it went unhandled. Its devices get no interrupts until it is freed and requested again; find the device that asserts it without a handler (often INTx shared with a device passed through) and prefer MSI, or reboot.`,
      );
    }
  }

  private alert(device: string | undefined, op: string, message: string): void {
    this.eventLog.append({ kind: 'alert', op, message, ...(device ? { device } : {}) });
  }
}
