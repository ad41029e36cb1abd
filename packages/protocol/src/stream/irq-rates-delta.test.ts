import { describe, expect, it } from 'vitest';
import type { VectorRate } from '../rest/telemetry.ts';
import { applyIrqRatesDelta, followCpus, IrqRatesDelta } from './irq-rates-delta.ts';
import { conforms, parseServerMessage } from './validate.ts';

const row = (vector: number, count: number, rate: number, extra: Partial<VectorRate> = {}): VectorRate => ({
  key: `0000:00:03.0/MSIX/${vector}`,
  bdf: '0000:00:03.0',
  index: 'MSIX',
  vector,
  source: 'observed',
  owner: null,
  count,
  rate,
  ...extra,
});
const rows = [
  row(0, 10, 0),
  row(1, 20, 50, { cpus: [[2, 50]] }),
  row(2, 30, 10, {
    cpus: [
      [0, 5],
      [1, 5],
    ],
  }),
];

describe('irq-rates delta', () => {
  it('applies increments over dt, rates, per-CPU rates and whole rows by index; untouched rows keep their identity', () => {
    const next = applyIrqRatesDelta(rows, { t: 2, dt: 0.1, n: [2, 7], r: [3, 4], cpus: [[0, [[1, 1]]]] })!;
    expect(next[0]).toStrictEqual(row(0, 10, 0, { cpus: [[1, 1]] }));
    // count + 7, rate 7 / 0.1, its one CPU follows the rate
    expect(next[1]).toStrictEqual(row(1, 27, 7 / 0.1, { cpus: [[2, 7 / 0.1]] }));
    // several CPUs stay as they were
    expect(next[2]).toStrictEqual(
      row(2, 30, 4, {
        cpus: [
          [0, 5],
          [1, 5],
        ],
      }),
    );
    expect(rows[1]!.count).toBe(20); // the rows given are not changed
    const same = applyIrqRatesDelta(rows, { t: 2, dt: 0.1, n: [] })!;
    expect(same.every((r, i) => r === rows[i])).toBe(true);
    expect(applyIrqRatesDelta(rows, { t: 2, dt: 0.1, n: [2, 0] })![1]).toStrictEqual(row(1, 20, 0));
    expect(followCpus([[3, 1]], 9)).toEqual([[3, 9]]);
  });

  it('removes by the old indexes, renumbers the rest in order and appends new rows before the figures apply', () => {
    const next = applyIrqRatesDelta(rows, {
      t: 2,
      remove: [0],
      add: [row(7, 1, 0)],
      dt: 0.5,
      n: [3, 2],
      rows: [[0, row(1, 20, 50, { irq: 33 })]],
    })!;
    expect(next.map((r) => r.vector)).toEqual([1, 2, 7]);
    expect(next[0]).toStrictEqual(row(1, 20, 50, { irq: 33 }));
    expect(next[2]).toStrictEqual(row(7, 3, 4));
  });

  it('a delta that does not fit the rows is refused (the client then needs a snapshot)', () => {
    const bad: IrqRatesDelta[] = [
      { t: 2, dt: 0.1, n: [1] }, // odd
      { t: 2, dt: 0.1, n: [0, 1] }, // a step below 1
      { t: 2, dt: 0.1, n: [1, 1, 3, 1] }, // index 3 of 3 rows
      { t: 2, dt: 0.1, n: [], r: [4, 1] },
      { t: 2, dt: 0.1, n: [], remove: [1, 1] },
      { t: 2, dt: 0.1, n: [], remove: [3] },
      { t: 2, dt: 0.1, n: [], cpus: [[3, null]] },
      { t: 2, dt: 0.1, n: [], rows: [[0, row(1, 0, 0)]] }, // a whole row under another key
    ];
    for (const d of bad) expect(applyIrqRatesDelta(rows, d), JSON.stringify(d)).toBeNull();
  });

  it('the schema refuses malformed compact deltas, and the full-row form of old', () => {
    const ok = { t: 1, dt: 0.1, n: [1, 2], r: [1, 2.5], cpus: [[0, null]], remove: [0], add: [row(0, 0, 0)], rows: [[1, row(1, 0, 0)]] };
    expect(conforms(IrqRatesDelta, ok)).toBe(true);
    const malformed: unknown[] = [
      { ...ok, dt: 0 },
      { ...ok, dt: undefined },
      { ...ok, n: [1.5, 2] },
      { ...ok, n: ['1', 2] },
      { ...ok, n: undefined },
      { ...ok, r: [1, '2'] },
      { ...ok, remove: [-1] },
      { ...ok, remove: ['0000:00:03.0/MSIX/0'] },
      { ...ok, cpus: [[0, [[0]]]] },
      { ...ok, cpus: [[-1, null]] },
      { ...ok, rows: [[1, { key: 'x' }]] },
      { ...ok, add: [{ ...row(0, 0, 0), source: 'guessed' }] },
      { t: 1, upsert: [row(0, 0, 0)], remove: [] },
    ];
    for (const d of malformed) expect(conforms(IrqRatesDelta, d), JSON.stringify(d)).toBe(false);
    const frame = (data: unknown) => JSON.stringify({ type: 'delta', kind: 'irq-rates', topic: 'irq-rates', seq: 2, data });
    expect(parseServerMessage(frame(ok)).ok).toBe(true);
    expect(parseServerMessage(frame({ t: 1, upsert: [row(0, 0, 0)], remove: [] }))).toMatchObject({ ok: false });
  });
});
