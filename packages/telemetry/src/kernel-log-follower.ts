/**
 * Follows the kernel log (Host.kernelLog) and turns the messages the parser
 * recognises into events of kind `kernel` — the kernel's text kept, the
 * parsed fields, the device/group/owner they name — counts them per device
 * and kind (IOMMU faults with their times, for a rate: iommu-faults.ts), and
 * hands them to the kernel alerts (a fault storm, a memlock refusal, a
 * disabled IRQ: kernel-alerts.ts).
 *
 * History already in the ring when following starts is skipped: the event
 * log outlives restarts, and the ring's past would be logged again each time.
 */
import type { GroupOwner, Host, KernelLogRecord, KernelMessage, KernelMessageKind, Topology } from '@vfioscope/host';
import type { EventLog } from './event-log.ts';
import { IommuFaults } from './iommu-faults.ts';
import { KernelAlerts, type KernelSubject } from './kernel-alerts.ts';
import { KernelAttribution } from './kernel-attribution.ts';

/** syslog facility of lines user space writes to /dev/kmsg (include/linux/syslog.h) */
const LOG_USER = 1;

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
  /** IOMMU faults per device, for their rate and the fault-storm window */
  readonly faults = new IommuFaults();
  /** the alerts the messages raise, active while their condition holds */
  readonly alerts: KernelAlerts;

  constructor(
    private readonly host: Host,
    private readonly eventLog: EventLog,
  ) {
    this.alerts = new KernelAlerts(eventLog, this.faults);
  }

  /** who a device is about (its group and the group's holder), for alerts that are not kernel messages */
  subjectOf(bdf: string, topology: Topology | null, owners: readonly GroupOwner[]): KernelSubject {
    const { device, group, owner } = this.attribution.attribute({ kind: 'device-request', text: '', bdf }, topology, owners);
    return { device, group: group ?? null, owner, pid: owner?.pid };
  }

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
      if (!m) {
        if (record.priority >> 3 === LOG_USER) this.userLine(record);
        continue;
      }
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
      this.count(m, now);
      this.alerts.observe(m, now, { device, group: group ?? null, owner, pid });
    }
  }

  /**
   * A line user space wrote to /dev/kmsg (facility LOG_USER: devkmsg_write() never logs one as the
   * kernel's): an annotation of the timeline, e.g. a demo's narration or an operator's
   * `echo "maintenance: …" > /dev/kmsg` — kept as an info event
   */
  private userLine(record: KernelLogRecord): void {
    this.eventLog.append({
      kind: 'info',
      op: 'kmsg',
      message: record.text,
      data: { seq: record.seq, priority: record.priority, tsUsec: record.tsUsec },
    });
  }

  private count(m: KernelMessage, now: number): void {
    const key = `${m.bdf ?? ''}\0${m.kind}`;
    const c = this.counts.get(key) ?? { bdf: m.bdf ?? '', kind: m.kind, n: 0 };
    c.n++;
    this.counts.set(key, c);
    if (m.kind === 'iommu-fault' && m.bdf) this.faults.record(m.bdf, now);
  }
}
