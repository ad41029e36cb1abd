import { describe, expect, it } from 'vitest';
import type { KernelAlert, StormAlert } from '@vfioscope/protocol';
import { activeAlerts, activeStorms, alertTitle, groupByVector } from './storm-model.ts';

const storm = (p: Partial<StormAlert>): StormAlert => ({
  kind: 'storm',
  id: 's1',
  key: '0000:17:00.0/MSIX/0',
  bdf: '0000:17:00.0',
  index: 'MSIX',
  vector: 0,
  owner: null,
  peakRate: 60_000,
  reason: 'absolute',
  threshold: 50_000,
  raisedAt: 0,
  clearedAt: null,
  ...p,
});
const kernel = (p: Partial<KernelAlert>): KernelAlert => ({
  kind: 'kernel',
  id: 'k1',
  key: 'iommu-fault-storm/0000:00:07.0',
  reason: 'iommu-fault-storm',
  bdf: '0000:00:07.0',
  group: 7,
  owner: null,
  irq: null,
  count: 12,
  message: 'IOMMU fault storm on 0000:00:07.0',
  raisedAt: 0,
  lastAt: 0,
  clearedAt: null,
  ...p,
});

describe('alert ranking', () => {
  it('puts storms first (highest peak), then kernel alerts by what they mean, oldest first; cleared ones are not active', () => {
    const memlock = kernel({ id: 'k-mem', key: 'memlock-exceeded/1', reason: 'memlock-exceeded', bdf: null, raisedAt: 1 });
    const irq = kernel({ id: 'k-irq', key: 'irq-disabled/16', reason: 'irq-disabled', bdf: null, irq: 16, raisedAt: 5 });
    const faults = kernel({ id: 'k-f', raisedAt: 9 });
    const older = kernel({ id: 'k-f0', key: 'iommu-fault-storm/0000:4c:00.0', bdf: '0000:4c:00.0', raisedAt: 2 });
    const small = storm({ id: 's-small', peakRate: 60_000 });
    const big = storm({ id: 's-big', key: 'x/MSIX/1', peakRate: 90_000 });
    const gone = storm({ id: 's-gone', key: 'y/MSIX/1', peakRate: 1e6, clearedAt: 3 });
    const all = [memlock, irq, faults, older, small, big, gone];
    expect(activeAlerts(all).map((a) => a.id)).toEqual(['s-big', 's-small', 'k-f0', 'k-f', 'k-irq', 'k-mem']);
    expect(activeStorms(all).map((a) => a.id)).toEqual(['s-big', 's-small']);
  });

  it('titles the tab with the active count: storms while all are storms, alerts otherwise', () => {
    expect(alertTitle([])).toBe('vfioscope');
    expect(alertTitle([storm({}), storm({ id: 's2' })])).toBe('(2) storms — vfioscope');
    expect(alertTitle([storm({}), kernel({})])).toBe('(2) alerts — vfioscope');
    expect(alertTitle([kernel({})])).toBe('(1) alert — vfioscope');
  });

  it('groups the alert history by vector or kernel condition, the active ones first', () => {
    const rows = groupByVector([
      kernel({ id: 'k-old', clearedAt: 50, raisedAt: 10 }),
      storm({ id: 's-old', clearedAt: 40, raisedAt: 20, peakRate: 70_000 }),
      kernel({ id: 'k-new', raisedAt: 100 }),
      storm({ id: 's-new', raisedAt: 30, peakRate: 55_000, clearedAt: 90 }),
    ]);
    expect(rows.map((r) => [r.key, r.latest.id, r.storms.length, r.peak])).toEqual([
      ['iommu-fault-storm/0000:00:07.0', 'k-new', 2, 0],
      ['0000:17:00.0/MSIX/0', 's-new', 2, 70_000],
    ]);
  });
});
