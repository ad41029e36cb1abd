import { describe, expect, it } from 'vitest';
import type { MappingRow, VectorRate } from '@vfioscope/protocol';
import { deviceReducer, eventsReducer, mappingsReducer, ratesReducer, topologyReducer } from './reducers.ts';

const row = (iova: string, pages = 1): MappingRow => ({ iova, size: '0x1000', vaddr: '0x7f00', read: true, write: true, pages });
const rate = (key: string, r: number): VectorRate => ({
  key,
  bdf: '0000:00:03.0',
  index: 'MSIX',
  vector: 0,
  source: 'owned',
  owner: null,
  count: 0,
  rate: r,
});

describe('reducers', () => {
  it('mappings: a delta touches only the rows it names; the others keep their identity', () => {
    const a = row('0x1000');
    const b = row('0x2000');
    const s0 = mappingsReducer.snapshot({ container: 1, total: 2, rows: [a, b] }, undefined);
    const s1 = mappingsReducer.delta(s0, { container: 1, total: 2, add: [row('0x3000')], change: [row('0x2000', 9)], remove: ['0x1000'] });
    expect([...s1.byIova.keys()].sort()).toEqual(['0x2000', '0x3000']);
    expect(s1.byIova.get('0x2000')!.pages).toBe(9);
    expect(s0.byIova.get('0x1000')).toBe(a); // the old state is not mutated
    const s2 = mappingsReducer.delta(s1, { container: 1, total: 2, add: [], change: [], remove: [] });
    expect(s2.byIova.get('0x3000')).toBe(s1.byIova.get('0x3000'));
  });

  it('rates: a compact delta rebuilds the rows by index, the untouched keep their identity, and the host-wide total is tracked', () => {
    const s0 = ratesReducer.snapshot({ t: 1, rates: [rate('a', 10), rate('b', 5)] }, undefined);
    const kept = s0.byKey.get('b');
    // vector 0 ("a") gains 2 over 0.1 s: 20/s
    const s1 = ratesReducer.delta(s0, { t: 2, dt: 0.1, n: [1, 2] });
    expect(s1.byKey.get('b')).toBe(kept);
    expect(s1.byKey.get('a')).toMatchObject({ count: 2, rate: 20 });
    expect(s1.total.map((p) => p.rate)).toEqual([15, 25]);
    // "a" goes, "c" comes: the map follows the rows' order
    const s2 = ratesReducer.delta(s1, { t: 3, remove: [0], add: [rate('c', 1)], dt: 0.1, n: [] });
    expect([...s2.byKey.keys()]).toEqual(['b', 'c']);
    expect(s2.rows.map((r) => r.key)).toEqual(['b', 'c']);
    expect(ratesReducer.stale?.(s2)).toBe(false);
  });

  it('rates: a delta that does not fit the rows leaves them as they were and marks the state stale until a snapshot', () => {
    const s0 = ratesReducer.snapshot({ t: 1, rates: [rate('a', 10)] }, undefined);
    const s1 = ratesReducer.delta(s0, { t: 2, dt: 0.1, n: [2, 1] }); // index 1 of one row
    expect(ratesReducer.stale?.(s1)).toBe(true);
    expect(s1.byKey).toBe(s0.byKey);
    expect(ratesReducer.delta(s1, { t: 3, dt: 0.1, n: [1, 1] })).toBe(s1);
    const s2 = ratesReducer.snapshot({ t: 4, rates: [rate('a', 3)] }, s1);
    expect(ratesReducer.stale?.(s2)).toBe(false);
    expect(s2.total.map((p) => p.rate)).toEqual([10, 3]);
  });

  it('device: each tick appends to the vector history and keeps the last state and reset section unless a new one comes', () => {
    const reset0 = { methods: ['flr'], vfioReset: null, hotReset: null, last: null };
    const s0 = deviceReducer.snapshot(
      {
        bdf: 'x',
        t: 1000,
        groupOpen: true,
        rates: [rate('k', 1)],
        history: [{ key: 'k', points: [{ t: 900, rate: 1 }] }],
        state: null,
        reset: reset0,
      },
      undefined,
    );
    // the rates as irq-rates deltas carry them: vector 0 gains 7 over 1 s
    const s1 = deviceReducer.delta(s0, { t: 1100, groupOpen: true, rates: { t: 1100, dt: 1, n: [1, 7] } });
    expect(s1.rates[0]).toMatchObject({ key: 'k', count: 7, rate: 7 });
    expect(s1.history.get('k')).toEqual([
      { t: 900, rate: 1 },
      { t: 1100, rate: 7 },
    ]);
    expect(s1.state).toBeNull();
    const s2 = deviceReducer.delta(s1, { t: 70_000, groupOpen: true, rates: { t: 70_000, dt: 0.1, n: [], r: [1, 3] } });
    expect(s2.history.get('k')).toEqual([{ t: 70_000, rate: 3 }]); // older than the 60 s window
    expect(s2.reset).toBe(reset0);
    // a reset someone did arrives as a new section
    const last = {
      bdf: 'x',
      how: 'function' as const,
      ts: 70_050,
      vendorId: 0xffff,
      deviceId: 0xffff,
      headerType: 0xff,
      cameBack: false,
      summary: 'gone',
    };
    const s3 = deviceReducer.delta(s2, { t: 70_100, groupOpen: true, rates: { t: 70_100, dt: 0.1, n: [] }, reset: { ...reset0, last } });
    expect(s3.reset.last).toEqual(last);
    // rates that do not fit the rows: the state waits for a snapshot
    expect(deviceReducer.stale?.(deviceReducer.delta(s3, { t: 70_200, groupOpen: true, rates: { t: 70_200, dt: 0.1, n: [2, 1] } }))).toBe(
      true,
    );
  });

  it('topology: a new topology keeps the objects of groups that did not change', () => {
    const g = (id: number, viable = true) => ({
      id,
      devices: [],
      viable,
      blockers: [],
      owners: [],
      container: null,
      openDevices: [],
      held: null,
    });
    const s0 = topologyReducer.snapshot({ groups: [g(1), g(2)], devices: [] }, undefined);
    const s1 = topologyReducer.delta(s0, { groups: [g(1), g(2, false)], devices: [] });
    expect(s1.groups[0]).toBe(s0.groups[0]);
    expect(s1.groups[1]).not.toBe(s0.groups[1]);
    expect(s1.groups[1]!.viable).toBe(false);
  });

  it('events: appends new events once, in order', () => {
    const e = (seq: number) => ({ seq, ts: seq, kind: 'info' as const, message: `event ${seq}` });
    const s0 = eventsReducer.snapshot({ events: [e(1), e(2)] }, undefined);
    const s1 = eventsReducer.delta(s0, { events: [e(2), e(3)] });
    expect(s1.map((x) => x.seq)).toEqual([1, 2, 3]);
  });
});
