import { describe, expect, it } from 'vitest';
import { applyIrqRatesDelta, type VectorRate } from '@vfioscope/protocol';
import { IrqRatesEncoder } from './irq-rates-encoder.ts';

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

/** the encoder's delta applied to what a client held: the client's rows are the encoder's */
function roundTrip(enc: IrqRatesEncoder, held: VectorRate[], fresh: VectorRate[], t: number) {
  const d = enc.next(fresh, t);
  const rows = d === null ? held : applyIrqRatesDelta(held, JSON.parse(JSON.stringify(d)));
  expect(rows).toStrictEqual(enc.rows());
  return { d, rows: rows! };
}

describe('IrqRatesEncoder', () => {
  it('sends nothing when no figure changed; an increment over dt where the rate follows, the rate where it does not', () => {
    const enc = new IrqRatesEncoder();
    const a = [row(0, 10, 0), row(1, 10, 5, { cpus: [[1, 5]] }), row(2, 4, 0)];
    enc.reset(a);
    expect(
      enc.next(
        a.map((r) => ({ ...r })),
        1,
      ),
    ).toBeNull();
    // vector 0 gains 3 over 0.1 s (30/s); vector 1 keeps its count while its rate moves (a /proc poll of another interval)
    const { d } = roundTrip(enc, a, [row(0, 13, 30), row(1, 10, 7, { cpus: [[1, 7]] }), row(2, 4, 0)], 2);
    expect(d).toEqual({ t: 2, dt: 0.1, n: [1, 3], r: [2, 7] }); // one CPU follows the rate: no cpus
  });

  it('per-CPU rates that do not follow the rate travel; an IRQ or owner change sends the whole row; a rate of 0 drops cpus', () => {
    const enc = new IrqRatesEncoder();
    let held = [row(0, 0, 0), row(1, 0, 0, { irq: 40 }), row(2, 0, 10, { cpus: [[0, 10]] })];
    enc.reset(held);
    const step1 = roundTrip(
      enc,
      held,
      [
        row(0, 2, 20, {
          cpus: [
            [0, 10],
            [3, 10],
          ],
        }),
        row(1, 1, 10, { irq: 41 }),
        row(2, 0, 0),
      ],
      2,
    );
    held = step1.rows;
    expect(step1.d).toEqual({
      t: 2,
      dt: 0.1,
      n: [1, 2, 2, 0],
      cpus: [
        [
          0,
          [
            [0, 10],
            [3, 10],
          ],
        ],
      ],
      rows: [[1, row(1, 1, 10, { irq: 41 })]],
    });
    expect(held[2]!.cpus).toBeUndefined();
    // a vector that starts on a CPU: the client had none to follow, so they travel
    const step2 = roundTrip(enc, held, [row(0, 2, 0), row(1, 1, 10, { irq: 41 }), row(2, 3, 30, { cpus: [[5, 30]] })], 3);
    expect(step2.d?.cpus).toEqual([[2, [[5, 30]]]]);
  });

  it('an owner that changed (another VM took the vector) sends the whole row; the same owner as a new object does not', () => {
    const enc = new IrqRatesEncoder();
    const vm = (pid: number) => ({ pid, comm: 'qemu-system-x86', vm: 'win11' });
    const held = [row(0, 1, 0, { owner: vm(10) }), row(1, 1, 0, { owner: vm(10) })];
    enc.reset(held);
    const { d } = roundTrip(enc, held, [row(0, 1, 0, { owner: vm(10) }), row(1, 1, 0, { owner: vm(11) })], 2);
    expect(d).toEqual({ t: 2, dt: 0.1, n: [], rows: [[1, row(1, 1, 0, { owner: vm(11) })]] });
  });

  it('vectors gone are removed by their old index, the rest renumbered in order, new ones appended', () => {
    const enc = new IrqRatesEncoder();
    const held = [row(0, 1, 0), row(1, 1, 0), row(2, 1, 0), row(3, 1, 0)];
    enc.reset(held);
    const { d, rows } = roundTrip(enc, held, [row(9, 0, 0), row(3, 2, 10), row(1, 1, 0)], 2);
    expect(d).toMatchObject({ remove: [0, 2], add: [row(9, 0, 0)], n: [2, 1] });
    expect(rows.map((r) => r.vector)).toEqual([1, 3, 9]);
  });

  it('picks the interval most rates are their increment over, and a count that restarted carries its rate', () => {
    const enc = new IrqRatesEncoder();
    const held = [row(0, 100, 0), row(1, 100, 0), row(2, 100, 0), row(3, 100, 0)];
    enc.reset(held);
    // a tick of 103 ms: 1/0.103, 2/0.103, 5/0.103; vector 0 restarted at 4 (another owner took it)
    const dt = 103 / 1000;
    const { d } = roundTrip(enc, held, [row(0, 4, 40), row(1, 101, 1 / dt), row(2, 102, 2 / dt), row(3, 105, 5 / dt)], 2);
    expect(d!.dt).toBe(dt);
    expect(d!.n).toEqual([1, -96, 1, 1, 1, 2, 1, 5]);
    expect(d!.r).toEqual([1, 40]);
  });
});
