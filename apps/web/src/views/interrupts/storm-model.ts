/**
 * Storm alerts as the UI ranks and words them — one rule for "the worst
 * storm" (the banner shows it, the tab title counts the active ones, the
 * alert chart opens on it) and one wording of why a rate is a storm.
 */
import type { StormAlert } from '@vfioscope/protocol';
import { formatRate } from '../../format/units.ts';

/** active storms, worst first: the highest peak rate, then the oldest (it has lasted longest) */
export function activeStorms(alerts: Iterable<StormAlert> | undefined): StormAlert[] {
  if (!alerts) return [];
  return [...alerts].filter((a) => a.clearedAt === null).sort((a, b) => b.peakRate - a.peakRate || a.raisedAt - b.raisedAt);
}

/** the browser tab's title: "(2) storms — vfioscope", plain "vfioscope" when calm */
export function stormTitle(active: number): string {
  return active === 0 ? 'vfioscope' : `(${active}) storm${active === 1 ? '' : 's'} — vfioscope`;
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
