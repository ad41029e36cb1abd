import { describe, expect, it } from 'vitest';
import type { LogEvent, StormAlert } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import { EVENTS_PER_LIST, gatherReport, LEAD_MS, runStart, TRAIL_MS } from './gather-report.ts';
import { testSource } from './test-source.ts';

const KEY = '0000:65:00.2/MSIX/3';
const T0 = 1_700_000_000_000;
/** a second-by-second rate: 100/s, a storm of 80 000/s from T0+300 s to T0+420 s, then 100/s again */
const RATES = Array.from({ length: 900 }, (_, i) => ({ t: T0 + i * 1000, rate: i >= 300 && i < 420 ? 80_000 : 100 }));
const OWNER = { pid: 4242, comm: 'qemu-system-x86', vm: 'win11' };

const storm = (over: Partial<StormAlert> = {}): StormAlert => ({
  kind: 'storm',
  id: 'storm-abc-1',
  key: KEY,
  bdf: '0000:65:00.2',
  index: 'MSIX',
  vector: 3,
  owner: OWNER,
  peakRate: 80_000,
  reason: 'absolute',
  threshold: 50_000,
  // raised after a 2 s sustain, cleared a while after the rate fell
  raisedAt: T0 + 302_000,
  clearedAt: T0 + 425_000,
  ...over,
});

const event = (seq: number, ts: number, over: Partial<LogEvent>): LogEvent =>
  ({ seq, ts, kind: 'info', message: `e${seq}`, ...over }) as LogEvent;

describe('runStart', () => {
  it('walks back from a moment to the first point of the run over the threshold', () => {
    expect(runStart(RATES, 50_000, T0 + 302_000)).toBe(T0 + 300_000);
  });

  it('is the moment itself when the rate there is not over the threshold', () => {
    expect(runStart(RATES, 50_000, T0 + 100_000)).toBe(T0 + 100_000);
  });
});

describe('gatherReport', () => {
  it('frames a storm alert from a minute before it began to a minute after it cleared, shading the storm and measuring its peak', async () => {
    const src = testSource({ now: T0 + 899_000, alerts: [storm()], rates: { [KEY]: RATES } });
    const f = await gatherReport(src, { alert: 'storm-abc-1' }, T0 + 900_000);
    expect(f.from).toBe(T0 + 300_000 - LEAD_MS);
    expect(f.to).toBe(T0 + 425_000 + TRAIL_MS);
    expect(f.bands).toEqual([{ from: T0 + 300_000, to: T0 + 425_000, ongoing: false }]);
    expect(f.measuredPeak?.rate).toBe(80_000);
    expect(f.series[0]?.t).toBe(f.from);
    expect(f.vector).toMatchObject({ key: KEY, bdf: '0000:65:00.2', index: 'MSIX', vector: 3, owner: OWNER });
    expect(f.host.info?.cpus).toBe(64);
  });

  it('ends an ongoing storm at now, and does not start the window before the first sample', async () => {
    const src = testSource({ now: T0 + 330_000, alerts: [storm({ clearedAt: null })], rates: { [KEY]: RATES.slice(280, 331) } });
    const f = await gatherReport(src, { alert: 'storm-abc-1' }, T0 + 330_000);
    expect(f.to).toBe(T0 + 330_000);
    expect(f.from).toBe(T0 + 280_000);
    expect(f.bands).toEqual([{ from: T0 + 300_000, to: T0 + 330_000, ongoing: true }]);
  });

  it('sorts the events in the window into kernel messages, actions (and failed ones with an actor) and alerts, newest kept past the cap', async () => {
    const kernel = Array.from({ length: EVENTS_PER_LIST + 5 }, (_, i) =>
      event(i + 1, T0 + 250_000 + i, { kind: 'kernel', op: 'iommu-fault', device: '0000:65:00.2' } as Partial<LogEvent>),
    );
    const others = [
      event(1000, T0 + 310_000, { kind: 'action', actor: 'alice', op: 'device.irqs' }),
      event(1001, T0 + 311_000, { kind: 'error', actor: 'alice', op: 'device.reset', errno: 'EIO' }),
      event(1002, T0 + 312_000, { kind: 'error', op: 'kernelLog' }),
      event(1003, T0 + 302_000, { kind: 'alert' }),
      event(1004, T0 + 425_000, { kind: 'alert-cleared' }),
      // outside the window
      event(1005, T0 + 10_000, { kind: 'action', actor: 'bob' }),
    ];
    const src = testSource({ now: T0 + 899_000, alerts: [storm()], rates: { [KEY]: RATES }, events: [...kernel, ...others] });
    const f = await gatherReport(src, { alert: 'storm-abc-1' }, T0 + 900_000);
    expect(f.kernel).toHaveLength(EVENTS_PER_LIST);
    expect(f.omitted.kernel).toBe(5);
    expect(f.kernel.at(-1)?.seq).toBe(EVENTS_PER_LIST + 5);
    expect(f.actions.map((e) => e.seq)).toEqual([1000, 1001]);
    expect(f.alertEvents.map((e) => e.seq)).toEqual([1003, 1004]);
  });

  it('charts the busiest vector of a range, shading the storms on it that overlap the range', async () => {
    const quiet = '0000:65:00.3/MSIX/0';
    const src = testSource({
      now: T0 + 899_000,
      alerts: [storm()],
      rates: { [KEY]: RATES, [quiet]: RATES.map((p) => ({ t: p.t, rate: 7 })) },
    });
    const f = await gatherReport(src, { from: T0 + 200_000, to: T0 + 500_000 }, T0 + 900_000);
    expect(f.alert).toBeNull();
    expect(f.vector?.key).toBe(KEY);
    expect(f.bands).toHaveLength(1);
    const asked = await gatherReport(src, { from: T0 + 200_000, to: T0 + 500_000, key: quiet }, T0 + 900_000);
    expect(asked.vector?.key).toBe(quiet);
    expect(asked.bands).toEqual([]);
    expect(asked.measuredPeak?.rate).toBe(7);
  });

  it("charts a kernel alert's device's busiest vector, and none when the alert names no device", async () => {
    const kernelAlert = {
      kind: 'kernel' as const,
      id: 'kernel-abc-2',
      key: 'iommu-fault-storm/0000:65:00.2',
      reason: 'iommu-fault-storm' as const,
      bdf: '0000:65:00.2',
      group: 40,
      owner: OWNER,
      irq: null,
      count: 500,
      message: 'IOMMU faults from 0000:65:00.2',
      raisedAt: T0 + 310_000,
      lastAt: T0 + 400_000,
      clearedAt: null,
    };
    const src = testSource({
      now: T0 + 899_000,
      alerts: [kernelAlert, { ...kernelAlert, id: 'kernel-abc-3', bdf: null }],
      rates: { [KEY]: RATES },
    });
    expect((await gatherReport(src, { alert: 'kernel-abc-2' }, T0)).vector?.key).toBe(KEY);
    const none = await gatherReport(src, { alert: 'kernel-abc-3' }, T0);
    expect(none.vector).toBeNull();
    expect(none.series).toEqual([]);
  });

  it('answers ENOTFOUND naming the field for an alert it does not know', async () => {
    const err = await gatherReport(testSource({ now: T0 }), { alert: 'storm-zzz-9' }, T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ errno: 'ENOTFOUND', field: 'alert' });
  });
});
