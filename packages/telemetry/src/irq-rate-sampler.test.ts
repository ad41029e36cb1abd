import type { IrqLine } from '@vfioscope/host';
import { describe, expect, it } from 'vitest';
import { IrqRateSampler, parseKey } from './irq-rate-sampler.ts';

const line = (count: number, vector = 0, bdf = '0000:01:00.0', perCpu: number[] = [count, 0]): IrqLine => ({
  bdf,
  index: 'MSIX',
  vector,
  irq: 40 + vector,
  count,
  perCpu,
  affinity: [0, 1],
  effectiveAffinity: [perCpu[1]! > 0 ? 1 : 0],
  name: `vfio-msix[${vector}](${bdf})`,
});

describe('IrqRateSampler', () => {
  it('turns owned eventfd counts into per-second rates', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    const key = '0000:00:04.0/MSI/1';
    s.sample(0, new Map([[key, 5]]), null);
    expect(s.get(key)).toMatchObject({ source: 'owned', count: 5, rate: 50, bdf: '0000:00:04.0', index: 'MSI', vector: 1 });
    s.sample(100, new Map([[key, 20]]), null);
    expect(s.get(key)).toMatchObject({ count: 25, rate: 200 });
    s.sample(300, new Map([[key, 20]]), null); // a late tick: 20 over 200 ms
    expect(s.get(key)?.rate).toBe(100);
  });

  it('turns monotonic /proc totals into rates, starting from the first sight', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    s.sample(0, null, [line(1_000_000)]);
    const key = '0000:01:00.0/MSIX/0';
    expect(s.get(key)).toMatchObject({ source: 'observed', rate: 0, count: 1_000_000 });
    s.sample(100, null, [line(1_000_300)]);
    expect(s.get(key)?.rate).toBe(3000);
    // between /proc polls the last rate holds
    s.sample(200, null, null);
    expect(s.get(key)?.rate).toBe(3000);
    // the line was set up again: its total restarted (50 since the poll at 100 ms)
    s.sample(1200, null, [line(50)]);
    expect(s.get(key)?.rate).toBeCloseTo(50 / 1.1, 9);
  });

  it('does not count a vector twice when its own eventfd and its /proc line both report it', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    const key = '0000:01:00.0/MSIX/0';
    s.sample(0, new Map([[key, 10]]), [line(999)]);
    s.sample(100, new Map([[key, 10]]), [line(1009)]);
    expect(s.get(key)).toMatchObject({ source: 'owned', count: 20, rate: 100 });
  });

  it('keeps 60 s at tick rate and 1 s averages on a shared time axis', () => {
    const s = new IrqRateSampler({ tickHz: 10, tickHistorySeconds: 60, secondHistorySeconds: 3600 });
    const key = '0000:00:04.0/MSI/0';
    for (let t = 0; t <= 70_000; t += 100) s.sample(t, new Map([[key, t < 35_000 ? 1 : 3]]), null);
    const ticks = s.history(key, 'tick');
    expect(ticks).toHaveLength(600);
    expect(ticks.at(-1)).toEqual({ t: 70_000, rate: 30 });
    expect(ticks[0]?.t).toBe(70_000 - 599 * 100);
    const seconds = s.history(key, '1s');
    expect(seconds).toHaveLength(70);
    expect(seconds[0]).toEqual({ t: 1000, rate: 10 });
    expect(seconds.at(-1)).toEqual({ t: 70_000, rate: 30 });
    expect(s.history('nope/MSI/0', 'tick')).toEqual([]);
  });

  it('aligns a late-appearing vector with the time axis and evicts vanished ones', () => {
    const s = new IrqRateSampler({ tickHz: 10, evictAfterMs: 1000 });
    const a = '0000:00:04.0/MSI/0';
    const b = '0000:00:04.0/MSI/1';
    for (let t = 0; t < 500; t += 100) s.sample(t, new Map([[a, 1]]), null);
    for (let t = 500; t < 800; t += 100)
      s.sample(
        t,
        new Map([
          [a, 1],
          [b, 2],
        ]),
        null,
      );
    expect(s.history(b, 'tick')).toEqual([
      { t: 500, rate: 20 },
      { t: 600, rate: 20 },
      { t: 700, rate: 20 },
    ]);
    // b disappears (disabled): reads 0, then is dropped
    s.sample(800, new Map([[a, 1]]), null);
    expect(s.get(b)).toMatchObject({ present: false, rate: 0 });
    let dropped: string[] = [];
    for (let t = 900; t <= 1800 && dropped.length === 0; t += 100) dropped = s.sample(t, new Map([[a, 1]]), null);
    expect(dropped).toEqual([b]);
    expect(s.get(b)).toBeUndefined();
  });

  it('parses vector keys', () => {
    expect(parseKey('0000:01:00.0/MSIX/3')).toEqual({ bdf: '0000:01:00.0', index: 'MSIX', vector: 3 });
    expect(parseKey('0000:01:00.0/FOO/3')).toBeNull();
    expect(parseKey('bad')).toBeNull();
  });
});

describe('IrqRateSampler per CPU', () => {
  it('rates each CPU from its own column and follows a vector that moves CPU', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    s.sample(0, null, [line(100, 0, '0000:01:00.0', [100, 0])]);
    const k = '0000:01:00.0/MSIX/0';
    expect(s.get(k)!.cpuRates).toEqual([0, 0]); // first sight: no span to rate over
    s.sample(1000, null, [line(300, 0, '0000:01:00.0', [300, 0])]);
    expect(s.get(k)!.cpuRates).toEqual([200, 0]);
    // affinity moved to CPU 1: CPU 0's column stops, CPU 1's grows
    s.sample(2000, null, [line(450, 0, '0000:01:00.0', [300, 150])]);
    const series = s.get(k)!;
    expect(series.cpuRates).toEqual([0, 150]);
    expect(series.rate).toBe(150);
    expect(series.cpuCounts).toEqual([300, 150]);
    expect(series.effectiveAffinity).toEqual([1]);
    expect(series.irq).toBe(40);
  });

  it('takes per-CPU rates from /proc for a vector counted from our own eventfd', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    const k = '0000:01:00.0/MSIX/0';
    s.sample(0, new Map([[k, 0]]), [line(0, 0, '0000:01:00.0', [0, 0])]);
    s.sample(500, new Map([[k, 50]]), [line(50, 0, '0000:01:00.0', [0, 50])]);
    const series = s.get(k)!;
    expect(series.source).toBe('owned');
    expect(series.rate).toBe(100);
    expect(series.cpuRates).toEqual([0, 100]);
  });

  it('restarts per-CPU rates when the vector gets a new IRQ number', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    const k = '0000:01:00.0/MSIX/0';
    s.sample(0, null, [line(1000, 0, '0000:01:00.0', [1000, 0])]);
    s.sample(1000, null, [{ ...line(10, 0, '0000:01:00.0', [10, 0]), irq: 99 }]);
    expect(s.get(k)!.cpuRates).toEqual([0, 0]);
    expect(s.get(k)!.irq).toBe(99);
  });

  it('restarts per-CPU rates when a CPU column shrinks under the same IRQ number, and rates from there on', () => {
    const s = new IrqRateSampler({ tickHz: 10 });
    const k = '0000:01:00.0/MSIX/0';
    s.sample(0, null, [line(1000, 0, '0000:01:00.0', [400, 600])]);
    s.sample(1000, null, [line(700, 0, '0000:01:00.0', [500, 200])]);
    expect(s.get(k)!.cpuRates).toEqual([0, 0]);
    expect(s.get(k)!.cpuCounts).toEqual([500, 200]);
    s.sample(2000, null, [line(1000, 0, '0000:01:00.0', [600, 400])]);
    expect(s.get(k)!.cpuRates).toEqual([100, 200]);
  });
});
