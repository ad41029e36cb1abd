/**
 * Alerts as the UI ranks them — one rule for "the worst alert" (the banner
 * shows it, the tab title counts the active ones, the alert chart opens on
 * the worst storm): interrupt storms first, then the kernel's alerts
 * (kernel-alert-model.ts words those) — and one wording of why a rate is a
 * storm.
 */
import type { Alert, StormAlert } from '@vfioscope/protocol';
import { formatRate } from '../../format/units.ts';
import { kernelAlertRank } from './kernel-alert-model.ts';

export const isStorm = (a: Alert): a is StormAlert => a.kind === 'storm';

/** active storms, worst first: the highest peak rate, then the oldest (it has lasted longest) */
export function activeStorms(alerts: Iterable<Alert> | undefined): StormAlert[] {
  if (!alerts) return [];
  return [...alerts]
    .filter((a): a is StormAlert => isStorm(a) && a.clearedAt === null)
    .sort((a, b) => b.peakRate - a.peakRate || a.raisedAt - b.raisedAt);
}

/** every active alert, worst first: storms (activeStorms' order), then kernel alerts by what they mean, oldest first */
export function activeAlerts(alerts: Iterable<Alert> | undefined): Alert[] {
  if (!alerts) return [];
  const list = [...alerts];
  const kernel = list
    .filter((a) => a.kind === 'kernel' && a.clearedAt === null)
    .sort((a, b) => kernelAlertRank(a) - kernelAlertRank(b) || a.raisedAt - b.raisedAt);
  return [...activeStorms(list), ...kernel];
}

export interface VectorStorms {
  /** a vector's key, or a kernel alert's condition */
  key: string;
  latest: Alert;
  /** newest first */
  storms: Alert[];
  /** the highest storm rate (0 for a kernel condition) */
  peak: number;
}

/** alerts (any order) → one entry per vector or kernel condition, active ones first, then the most recent */
export function groupByVector(alerts: Alert[]): VectorStorms[] {
  const by = new Map<string, Alert[]>();
  for (const a of alerts) by.set(a.key, [...(by.get(a.key) ?? []), a]);
  return [...by.entries()]
    .map(([key, list]) => {
      const storms = list.sort((a, b) => b.raisedAt - a.raisedAt);
      return {
        key,
        latest: storms.find((s) => s.clearedAt === null) ?? storms[0]!,
        storms,
        peak: Math.max(0, ...storms.filter(isStorm).map((s) => s.peakRate)),
      };
    })
    .sort((a, b) => Number(b.latest.clearedAt === null) - Number(a.latest.clearedAt === null) || b.latest.raisedAt - a.latest.raisedAt);
}

/** the browser tab's title: "(2) storms — vfioscope" (or "alerts" when not all are storms), plain "vfioscope" when calm */
export function alertTitle(active: readonly Alert[]): string {
  const n = active.length;
  if (n === 0) return 'vfioscope';
  const what = active.every(isStorm) ? 'storm' : 'alert';
  return `(${n}) ${what}${n === 1 ? '' : 's'} — vfioscope`;
}

/** the vector as the kernel names it: "MSIX[0]" */
export const vectorName = (a: { index: string; vector: number }) => `${a.index}[${a.vector}]`;

/** why the detector called it a storm, short (tables) */
export function stormReasonShort(a: StormAlert): string {
  switch (a.reason) {
    case 'absolute':
      return 'over threshold';
    case 'baseline':
      return 'over baseline';
    case 'intx-unmask-loop':
      return 'unmask loop';
  }
}

/** why the detector called it a storm, with the threshold that made it one (the banner) */
export function stormReason(a: StormAlert): string {
  const t = formatRate(a.threshold);
  switch (a.reason) {
    case 'absolute':
      return `over the ${t} storm threshold`;
    case 'baseline':
      return `over ${t}, far above its usual rate`;
    case 'intx-unmask-loop':
      return `INTx unmask loop: over ${t} on a line that masks itself each time it fires`;
  }
}
