import { describe, expect, it } from 'vitest';
import type { IrqRatesDelta, ServerMessage, VectorRate } from '@vfioscope/protocol';
import { RecordedTopics } from './recorded-topics.ts';

const EDU = '0000:00:04.0';
const row = (bdf: string, count: number, rate: number, extra: Partial<VectorRate> = {}): VectorRate => ({
  key: `${bdf}/INTX/0`,
  bdf,
  index: 'INTX',
  vector: 0,
  source: 'owned',
  owner: { pid: 211, comm: 'node', vm: null },
  count,
  rate,
  ...extra,
});
const snapshot = (rates: VectorRate[]): ServerMessage => ({
  type: 'snapshot',
  kind: 'irq-rates',
  topic: 'irq-rates',
  seq: 0,
  data: { t: 0, rates },
});
const delta = (seq: number, d: Partial<IrqRatesDelta>): ServerMessage => ({
  type: 'delta',
  kind: 'irq-rates',
  topic: 'irq-rates',
  seq,
  data: { t: seq * 200, dt: 0.2, n: [], ...d },
});

describe('RecordedTopics: the devices whose interrupts fire', () => {
  it('follows a device whose increment is in n, not one that is only listed', () => {
    const t = new RecordedTopics();
    t.initial();
    expect(t.discover(snapshot([row(EDU, 7, 0)]))).toEqual([]);
    expect(t.discover(delta(1, { n: [1, 0] }))).toEqual([]);
    expect(t.discover(delta(2, { n: [1, 2] }))).toEqual([`device:${EDU}`]);
    expect(t.discover(delta(3, { n: [1, 5] }))).toEqual([]);
  });

  it('follows a device whose first interrupt came as a whole row (the 6.1 bed: the INTx got its IRQ number then)', () => {
    const t = new RecordedTopics();
    t.initial();
    t.discover(snapshot([]));
    expect(t.discover(delta(1, { add: [row(EDU, 0, 0)] }))).toEqual([]);
    // the recorded line from the bed, less its figures' decimals
    const fired = row(EDU, 1, 4.65, { irq: 20, affinity: '0-1', effective: '1' });
    expect(t.discover(delta(2, { rows: [[0, fired]] }))).toEqual([`device:${EDU}`]);
  });

  it('follows a device added as it fired (rate above 0), not one added quiet or changed while quiet', () => {
    const t = new RecordedTopics();
    t.initial();
    t.discover(snapshot([]));
    const other = '0000:00:05.0';
    expect(t.discover(delta(1, { add: [row(other, 0, 0), row(EDU, 1, 5)] }))).toEqual([`device:${EDU}`]);
    expect(t.discover(delta(2, { rows: [[0, row(other, 0, 0, { irq: 21 })]] }))).toEqual([]);
  });
});
