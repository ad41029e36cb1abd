import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '@vfioscope/protocol';
import { LiveStore, TopicModel } from './live-store.ts';
import { ratesReducer } from './reducers.ts';
import { hostWireCodec, type WireCodec, wireCodec } from './wire-codec.ts';
import type { StreamClientOptions } from './stream-client.ts';

// The store schedules notifications per animation frame; with document.hidden
// the scheduler falls back to a 100 ms timer, which fake timers drive.
beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('window', globalThis);
  vi.stubGlobal('document', { hidden: true });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** the seqs of the events each message carried: which messages were applied, in order */
const counter = new TopicModel({
  kind: 'events',
  snapshot: (d) => d.events.map((e) => e.seq),
  delta: (s: number[], d) => [...s, ...d.events.map((e) => e.seq)],
});

function setup(codec: WireCodec = wireCodec) {
  const sent: ClientMessage[] = [];
  let opts!: StreamClientOptions;
  const store = new LiveStore(codec, (o) => {
    opts = o;
    return {
      start: () => o.onOpen(),
      stop: () => {},
      restart: () => {},
      send: (m: ClientMessage) => {
        sent.push(m);
        return true;
      },
    };
  });
  store.start();
  const receive = (m: unknown) => opts.onMessage(m);
  return { store, sent, receive };
}

const event = (n: number) => ({ seq: n, ts: n, kind: 'info', message: `event ${n}` });
const snapshot = (topic: string, seq: number, n: number) => ({
  type: 'snapshot',
  kind: 'events',
  topic,
  seq,
  data: { events: [event(n)] },
});
const delta = (topic: string, seq: number, n: number) => ({ type: 'delta', kind: 'events', topic, seq, data: { events: [event(n)] } });

describe('LiveStore', () => {
  it('remembers when live data last arrived, for "as of" while offline, and forgets it on start', () => {
    const { store, receive } = setup();
    store.subscribe('events', counter, () => {});
    expect(store.dataAt()).toBeNull();
    vi.setSystemTime(1_000_000);
    receive(snapshot('events', 1, 1));
    expect(store.dataAt()).toBe(1_000_000);
    vi.setSystemTime(1_005_000);
    receive({ type: 'hello', version: 1, role: 'viewer', backend: 'sim', tickHz: 10, heartbeatMs: 5000 }); // not data: the age stays
    expect(store.dataAt()).toBe(1_000_000);
    store.start();
    expect(store.dataAt()).toBeNull();
    vi.advanceTimersByTime(150); // flush the frame scheduler (a module singleton) before the next test
  });

  it('subscribes once per topic and unsubscribes after the last listener leaves', () => {
    const { store, sent } = setup();
    const a = store.subscribe('events', counter, () => {});
    const b = store.subscribe('events', counter, () => {});
    expect(sent).toEqual([{ type: 'subscribe', topics: ['events'] }]);
    a();
    b();
    vi.advanceTimersByTime(1500);
    expect(sent.at(-1)).toEqual({ type: 'unsubscribe', topics: ['events'] });
  });

  it('applies deltas in sequence and notifies once per frame', () => {
    const { store, receive } = setup();
    const listener = vi.fn();
    store.subscribe('events', counter, listener);
    receive(snapshot('events', 5, 1));
    receive(delta('events', 6, 2));
    receive(delta('events', 7, 3));
    expect(store.read('events', counter).state).toEqual([1, 2, 3]);
    expect(listener).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('ignores duplicates and a delta after a gap until a snapshot heals the state', () => {
    const { store, receive, sent } = setup();
    store.subscribe('events', counter, () => {});
    receive(snapshot('events', 1, 10));
    receive(delta('events', 1, 99)); // duplicate
    receive(delta('events', 3, 30)); // seq 2 was lost
    expect(store.read('events', counter).state).toEqual([10]);
    receive(snapshot('events', 4, 40));
    receive(delta('events', 5, 50));
    expect(store.read('events', counter).state).toEqual([40, 50]);
    // the server sends a fresh snapshot itself; no extra subscribe was needed here
    expect(sent.filter((m) => m.type === 'subscribe')).toHaveLength(1);
  });

  it('asks for a snapshot again when deltas keep missing for a while', () => {
    const { store, receive, sent } = setup();
    store.subscribe('events', counter, () => {});
    receive(snapshot('events', 1, 10));
    receive(delta('events', 3, 30));
    vi.advanceTimersByTime(3500);
    receive(delta('events', 40, 30));
    expect(sent.filter((m) => m.type === 'subscribe')).toHaveLength(2);
  });

  it('asks for a snapshot at once when a delta does not fit the state, and applies nothing until it comes', () => {
    const { store, receive, sent } = setup();
    const rates = new TopicModel(ratesReducer);
    store.subscribe('irq-rates', rates, () => {});
    const row = { key: 'k', bdf: '0000:00:03.0', index: 'MSIX', vector: 0, source: 'owned', owner: null, count: 0, rate: 0 };
    receive({ type: 'snapshot', kind: 'irq-rates', topic: 'irq-rates', seq: 1, data: { t: 1, rates: [row] } });
    receive({ type: 'delta', kind: 'irq-rates', topic: 'irq-rates', seq: 2, data: { t: 2, dt: 0.1, n: [1, 3] } });
    expect(store.read('irq-rates', rates).state?.byKey.get('k')?.count).toBe(3);
    receive({ type: 'delta', kind: 'irq-rates', topic: 'irq-rates', seq: 3, data: { t: 3, dt: 0.1, n: [5, 3] } }); // no index 4
    expect(sent.filter((m) => m.type === 'subscribe')).toHaveLength(2);
    receive({ type: 'delta', kind: 'irq-rates', topic: 'irq-rates', seq: 4, data: { t: 4, dt: 0.1, n: [1, 3] } });
    expect(store.read('irq-rates', rates).state?.byKey.get('k')?.count).toBe(3);
    receive({ type: 'snapshot', kind: 'irq-rates', topic: 'irq-rates', seq: 4, data: { t: 4, rates: [{ ...row, count: 9 }] } });
    receive({ type: 'delta', kind: 'irq-rates', topic: 'irq-rates', seq: 5, data: { t: 5, dt: 0.1, n: [1, 1] } });
    expect(store.read('irq-rates', rates).state?.byKey.get('k')).toMatchObject({ count: 10, rate: 10 });
  });

  it("keeps the server's refusal of a topic as its error", () => {
    const { store, receive } = setup();
    store.subscribe('device:0000:99:00.0', counter, () => {});
    receive({ type: 'error', topic: 'device:0000:99:00.0', error: { errno: 'ENOTFOUND', message: 'no such device' } });
    expect(store.read('device:0000:99:00.0', counter).error).toBe('ENOTFOUND: no such device');
  });

  it('drops a frame that is not a protocol message, and a message of another kind than the topic’s model', () => {
    const { store, receive } = setup();
    store.subscribe('events', counter, () => {});
    receive(snapshot('events', 1, 10));
    receive({ type: 'delta', kind: 'events', topic: 'events', seq: 2, data: { n: 3 } }); // not an EventsDelta
    expect(store.read('events', counter)).toMatchObject({ state: [10], seq: 1 });
    receive({ type: 'delta', kind: 'alerts', topic: 'events', seq: 2, data: { upsert: [] } }); // a protocol message, another kind
    expect(store.read('events', counter).state).toEqual([10]);
    receive(delta('events', 3, 30));
    expect(store.read('events', counter).state).toEqual([10, 30]);
  });

  it('gives a second model of a topic already flowing its own state, from a fresh snapshot', () => {
    const { store, receive, sent } = setup();
    const lengths = new TopicModel({ kind: 'events', snapshot: (d) => d.events.length, delta: (n: number, d) => n + d.events.length });
    store.subscribe('events', counter, () => {});
    receive(snapshot('events', 1, 10));
    store.subscribe('events', lengths, () => {});
    expect(sent.filter((m) => m.type === 'subscribe')).toHaveLength(2);
    receive(snapshot('events', 2, 20));
    receive(delta('events', 3, 30));
    expect(store.read('events', counter).state).toEqual([20, 30]);
    expect(store.read('events', lengths).state).toBe(2);
  });

  it("shows one peer of a fleet: its own topic names in the store, the host's prefix on the wire, other hosts' messages ignored", () => {
    const { store, receive, sent } = setup(hostWireCodec('gpu-07'));
    store.subscribe('events', counter, () => {});
    expect(sent).toEqual([{ type: 'subscribe', topics: ['hosts/gpu-07/events'] }]);
    receive(snapshot('hosts/gpu-07/events', 1, 10));
    receive(delta('hosts/gpu-08/events', 2, 99)); // another host's
    receive(delta('events', 2, 98)); // the hub's own
    receive(delta('hosts/gpu-07/events', 2, 20));
    expect(store.read('events', counter).state).toEqual([10, 20]);
    receive({ type: 'error', topic: 'hosts/gpu-07/events', error: { errno: 'EIO', message: 'gpu-07 is down' } });
    expect(store.read('events', counter)).toMatchObject({ state: [10, 20], error: 'EIO: gpu-07 is down' });
  });
});
