/**
 * The kernel's alerts as the UI words them: what each reason is called, what
 * it is about when the kernel named no device, the short form for tables,
 * and when it clears (the server's rule, packages/telemetry kernel-alerts.ts,
 * said to the operator).
 */
import type { Alert, KernelAlert, KernelAlertReason } from '@vfioscope/protocol';

/**
 * worst first: a device that did not come back, one faulting now, a PCIe error, a line the kernel
 * gave up on, an unbind waiting for its user, then a refused pin
 */
const RANK: Record<KernelAlertReason, number> = {
  'reset-failed': 0,
  'iommu-fault-storm': 1,
  'device-error': 2,
  'irq-disabled': 3,
  'device-request': 4,
  'memlock-exceeded': 5,
};

export function kernelAlertRank(a: Alert): number {
  return a.kind === 'kernel' ? RANK[a.reason] : -1;
}

const TITLE: Record<KernelAlertReason, string> = {
  'iommu-fault-storm': 'IOMMU fault storm',
  'irq-disabled': 'IRQ disabled',
  'memlock-exceeded': 'DMA pin refused',
  'device-error': 'PCIe error',
  'device-request': 'device wanted back',
  'reset-failed': 'reset failed',
};

export const kernelAlertTitle = (a: KernelAlert): string => TITLE[a.reason];

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** the short why, for tables: "14 faults", "IRQ 16 off", "RLIMIT_MEMLOCK · 2 refusals" */
export function kernelAlertShort(a: KernelAlert): string {
  switch (a.reason) {
    case 'iommu-fault-storm':
      return plural(a.count, 'fault');
    case 'irq-disabled':
      return `IRQ ${a.irq ?? '?'} off`;
    case 'memlock-exceeded':
      return `RLIMIT_MEMLOCK · ${plural(a.count, 'refusal')}`;
    case 'device-error':
      return `AER · ${plural(a.count, 'error')}`;
    case 'device-request':
      return `unbind waiting · ${plural(a.count, 'request')}`;
    case 'reset-failed':
      return 'did not come back';
  }
}

/** what the alert is about where no device is known: the IRQ, else the host */
export function kernelAlertSubject(a: KernelAlert): string {
  return a.bdf ?? (a.irq !== null ? `IRQ ${a.irq}` : a.group !== null ? `group ${a.group}` : 'host');
}

/** when it stops being active */
export function kernelAlertClears(a: KernelAlert): string {
  switch (a.reason) {
    case 'iommu-fault-storm':
      return 'clears once the device stops faulting';
    case 'irq-disabled':
      return 'stays until the IRQ takes interrupts again (freed and requested again)';
    case 'memlock-exceeded':
      return 'clears a minute after the last refusal';
    case 'device-error':
      return 'clears a minute after the last error';
    case 'device-request':
      return 'clears two minutes after the last request';
    case 'reset-failed':
      return 'stays until a reset of the device comes back';
  }
}
