/**
 * Alerts from the kernel's messages, active while their condition holds —
 * like a storm alert, not a line in the log:
 *
 * - iommu-fault-storm: FAULT_STORM_COUNT or more IOMMU faults from one device
 *   within FAULT_STORM_WINDOW_MS (the kernel ratelimits its own fault prints,
 *   drivers/iommu/intel/dmar.c dmar_fault(), so a handful seen is already many
 *   done). Later faults count into it; it clears once the device has logged
 *   no fault for a whole window.
 * - memlock-exceeded: a pin refused by RLIMIT_MEMLOCK
 *   (drivers/vfio/vfio_iommu_type1.c vfio_pin_pages_remote). The refusal is
 *   over when it is printed and nothing tells when the limit is raised, so it
 *   stays active MEMLOCK_HOLD_MS after the owner's last refusal (repeats count
 *   into it) — long enough to be seen — then clears.
 * - irq-disabled: the kernel gave up on a line (kernel/irq/spurious.c
 *   note_interrupt()); it stays off until it is freed and requested again, so
 *   the alert stays active until interrupts are counted on that IRQ again.
 *   The message names no device; a VFIO vector seen on that IRQ names it.
 *
 * - device-error: a PCIe error on the device — the kernel's AER line about it
 *   (drivers/pci/pcie/aer.c), or VFIO's ERR interrupt, which vfio-pci's
 *   error_detected handler signals to the device's user; active
 *   DEVICE_ERROR_HOLD_MS after the last one.
 * - device-request: the kernel asks the device's user to release it (an
 *   unbind or hot-unplug waits in vfio_unregister_group_dev()): the REQ
 *   interrupt (re-sent every 10 s while it waits) or the kernel's "Relaying
 *   device request" line (every tenth request); active
 *   DEVICE_REQUEST_HOLD_MS after the last.
 * - reset-failed: a reset after which the device's config space read
 *   all-ones (it did not come back); active until a later reset of it does.
 *
 * Each raise is an `alert` event and each clear an `alert-cleared` one.
 */
import { guestName, type GroupOwner, type KernelMessage } from '@vfioscope/host';
import type { EventLog } from './event-log.ts';
import type { IommuFaults } from './iommu-faults.ts';
import type { KernelAlert, KernelAlertReason, VectorOwner } from './telemetry-types.ts';

export const FAULT_STORM_COUNT = 10;
export const FAULT_STORM_WINDOW_MS = 10_000;
export const MEMLOCK_HOLD_MS = 60_000;
export const DEVICE_ERROR_HOLD_MS = 60_000;
export const DEVICE_REQUEST_HOLD_MS = 120_000;
/** cleared alerts kept for list() */
const RECENT_KEPT = 100;

/** who a message is about, as the follower attributed it (kernel-attribution.ts) */
export interface KernelSubject {
  /** the device the message names, or the one its owner holds (a memlock refusal names none) */
  device?: string | undefined;
  group: number | null;
  owner: GroupOwner | undefined;
  pid: number | undefined;
}

/** a vector's IRQ and rate (a VectorRate fits) */
export interface IrqActivity {
  bdf: string;
  irq: number | null;
  rate: number;
}

export class KernelAlerts {
  private readonly active = new Map<string, KernelAlert>();
  private readonly recent: KernelAlert[] = [];
  private nextId = 1;

  constructor(
    private readonly eventLog: EventLog,
    private readonly faults: IommuFaults,
  ) {}

  /** Active alerts first (oldest first), then recently cleared ones (newest first). Copies. */
  list(): KernelAlert[] {
    return [...this.active.values(), ...this.recent.slice().reverse()].map((a) => ({ ...a }));
  }

  /** One parsed message (its faults already recorded in `faults`). */
  observe(m: KernelMessage, now: number, who: KernelSubject): void {
    if (m.kind === 'iommu-fault' && m.bdf) {
      const key = `iommu-fault-storm/${m.bdf}`;
      if (this.countInto(key, now)) return;
      const n = this.faults.within(m.bdf, now, FAULT_STORM_WINDOW_MS);
      if (n < FAULT_STORM_COUNT) return;
      this.raise(key, 'iommu-fault-storm', now, m, who, n, [
        `IOMMU fault storm on ${m.bdf}: ${n} faults in ${FAULT_STORM_WINDOW_MS / 1000} s (last at ${m.address ?? '?'}).`,
        `The device's user programs DMA to IOVAs it has not mapped (or mapped read-only): check its driver's DMA addresses against the container's mappings; reset or release the device if it keeps on.`,
      ]);
    } else if (m.kind === 'memlock-exceeded') {
      const pid = m.pid ?? who.pid;
      const key = `memlock-exceeded/${pid ?? 'unknown'}`;
      if (this.countInto(key, now)) return;
      const by = m.comm ? ` by ${m.comm} (pid ${m.pid})` : pid !== undefined ? ` (pid ${pid})` : '';
      this.raise(key, 'memlock-exceeded', now, m, who, 1, [
        `a DMA mapping was refused: RLIMIT_MEMLOCK (${m.limit ?? '?'} bytes) exceeded${by}.`,
        `Raise the owner's memlock limit (ulimit -l, LimitMEMLOCK= in its systemd unit, or libvirt's <memtune><hard_limit>) to cover all guest RAM it maps.`,
      ]);
    } else if (m.kind === 'aer-error' && m.bdf) {
      this.signal({ reason: 'device-error', bdf: m.bdf, count: 1 }, now, who, m.severity);
    } else if (m.kind === 'device-request' && m.bdf) {
      this.signal({ reason: 'device-request', bdf: m.bdf, count: 1 }, now, who);
    } else if (m.kind === 'irq-disabled' && m.irq !== undefined) {
      const key = `irq-disabled/${m.irq}`;
      if (this.countInto(key, now)) return;
      this.raise(key, 'irq-disabled', now, m, who, 1, [
        `the kernel disabled IRQ ${m.irq}: 99 900 of 100 000 interrupts on it went unhandled.`,
        `Its devices get no interrupts until it is freed and requested again; find the device that asserts it without a handler (often INTx shared with a device passed through) and prefer MSI, or reboot.`,
      ]);
    }
  }

  /** A device error or request: from VFIO's ERR/REQ interrupts (vfio-signal-alerts.ts) or the kernel's line. */
  signal(
    sig: { reason: 'device-error' | 'device-request'; bdf: string; count: number },
    now: number,
    who: KernelSubject,
    severity?: string,
  ): void {
    const key = `${sig.reason}/${sig.bdf}`;
    const a = this.active.get(key);
    if (a) {
      a.count += sig.count;
      a.lastAt = now;
      return;
    }
    const holder = who.owner ? ` (${who.owner.comm}, pid ${who.owner.pid})` : '';
    const text =
      sig.reason === 'device-error'
        ? [
            `a PCIe error on ${sig.bdf}${severity ? ` (${severity})` : ''}: the kernel's AER handler reported it to the device's user${holder}.`,
            `Check the kernel messages for the error; reset the device (or release it) before trusting its DMA again.`,
          ]
        : [
            `the kernel asks for ${sig.bdf} back: an unbind or hot-unplug is waiting and blocks until its user${holder} closes the device.`,
            `Release its group (stop the VM, or close it here), or the unbind waits.`,
          ];
    this.raiseFor(key, sig.reason, now, { bdf: sig.bdf, who, count: sig.count, irq: null }, text);
  }

  /** A reset's verification (session reset-verify): all-ones raises reset-failed, a reset that came back clears it. */
  resetResult(v: { bdf: string; cameBack: boolean; summary: string }, now: number, who: KernelSubject): void {
    const key = `reset-failed/${v.bdf}`;
    const a = this.active.get(key);
    if (v.cameBack) {
      if (a) this.clear(a, now, `${v.bdf} came back from a reset: ${v.summary}`);
      return;
    }
    if (a) {
      a.count++;
      a.lastAt = now;
      return;
    }
    this.raiseFor(key, 'reset-failed', now, { bdf: v.bdf, who, count: 1, irq: null }, [
      `${v.summary}.`,
      `The device did not come back from its reset (the commonest failure with passed-through GPUs): it needs a secondary bus reset, a remove and rescan of its slot (echo 1 > /sys/bus/pci/devices/<bdf>/remove; echo 1 > /sys/bus/pci/rescan) or a power cycle.`,
    ]);
  }

  /** Clears what no longer holds at `now`; `vectors` are the VFIO vectors' IRQs and rates this tick. */
  settle(now: number, vectors: readonly IrqActivity[]): void {
    for (const a of [...this.active.values()]) {
      if (a.reason === 'iommu-fault-storm' && now - a.lastAt >= FAULT_STORM_WINDOW_MS) {
        this.clear(a, now, `IOMMU fault storm on ${a.bdf} over: no fault for ${FAULT_STORM_WINDOW_MS / 1000} s (${a.count} faults in all)`);
      } else if (a.reason === 'memlock-exceeded' && now - a.lastAt >= MEMLOCK_HOLD_MS) {
        this.clear(
          a,
          now,
          `RLIMIT_MEMLOCK refusals${a.owner ? ` of ${a.owner.comm} (pid ${a.owner.pid})` : ''}: none for ${MEMLOCK_HOLD_MS / 1000} s (${a.count} in all)`,
        );
      } else if (a.reason === 'device-error' && now - a.lastAt >= DEVICE_ERROR_HOLD_MS) {
        this.clear(a, now, `no PCIe error on ${a.bdf} for ${DEVICE_ERROR_HOLD_MS / 1000} s (${a.count} in all)`);
      } else if (a.reason === 'device-request' && now - a.lastAt >= DEVICE_REQUEST_HOLD_MS) {
        this.clear(a, now, `no request for ${a.bdf} for ${DEVICE_REQUEST_HOLD_MS / 1000} s: the unbind went through or was given up`);
      } else if (a.reason === 'irq-disabled') {
        const on = vectors.filter((v) => v.irq === a.irq);
        if (a.bdf === null && on[0]) a.bdf = on[0].bdf;
        if (on.some((v) => v.rate > 0)) this.clear(a, now, `IRQ ${a.irq} takes interrupts again: it was freed and requested again`);
      }
    }
  }

  /** a message for a condition already active counts into its alert */
  private countInto(key: string, now: number): boolean {
    const a = this.active.get(key);
    if (!a) return false;
    a.count++;
    a.lastAt = now;
    return true;
  }

  private raise(
    key: string,
    reason: KernelAlertReason,
    now: number,
    m: KernelMessage,
    who: KernelSubject,
    count: number,
    text: string[],
  ): void {
    this.raiseFor(key, reason, now, { bdf: m.bdf ?? who.device ?? null, who, count, irq: m.irq ?? null, m }, text);
  }

  private raiseFor(
    key: string,
    reason: KernelAlertReason,
    now: number,
    about: { bdf: string | null; who: KernelSubject; count: number; irq: number | null; m?: KernelMessage },
    text: string[],
  ): void {
    const { who } = about;
    const alert: KernelAlert = {
      id: `kernel-${now.toString(36)}-${this.nextId++}`,
      key,
      reason,
      bdf: about.bdf,
      group: who.group ?? who.owner?.group ?? null,
      owner: ownerOf(who, about.m),
      irq: about.irq,
      count: about.count,
      message: text.join(' '),
      raisedAt: now,
      lastAt: now,
      clearedAt: null,
    };
    this.active.set(key, alert);
    this.log('alert', alert, alert.message);
  }

  private clear(a: KernelAlert, now: number, message: string): void {
    a.clearedAt = now;
    this.active.delete(a.key);
    this.recent.push(a);
    if (this.recent.length > RECENT_KEPT) this.recent.shift();
    this.log('alert-cleared', a, message);
  }

  private log(kind: 'alert' | 'alert-cleared', a: KernelAlert, message: string): void {
    this.eventLog.append({
      kind,
      op: a.reason,
      message,
      ...(a.bdf ? { device: a.bdf } : {}),
      ...(a.group !== null ? { group: a.group } : {}),
      data: { ...a },
    });
  }
}

/** the process holding the group, else the task the message names (memlock: a process that holds none yet) */
function ownerOf(who: KernelSubject, m: KernelMessage | undefined): VectorOwner | null {
  const o = who.owner;
  if (o) return { pid: o.pid, comm: o.comm, vm: o.self ? null : guestName(o.cmdline) };
  return m?.pid !== undefined && m.comm ? { pid: m.pid, comm: m.comm, vm: null } : null;
}
