import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveStore, type TopicReducer } from './live-store.ts';
import { wireCodec } from './wire-codec.ts';
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

const counter: TopicReducer<number[]> = {
  snapshot: (d) => [(d as { n: number }).n],
  delta: (s, d) => [...s, (d as { n: number }).n],
};

function setup() {
  const sent: unknown[] = [];
  let opts!: StreamClientOptions;
  const store = new LiveStore(wireCodec, (o) => {
    opts = o;
    return {
      start: () => o.onOpen(),
      stop: () => {},
      restart: () => {},
      send: (m: unknown) => {
        sent.push(m);
        return true;
      },
    };
  });
  store.start();
  const receive = (m: unknown) => opts.onMessage(m);
  return { store, sent, receive };
}

const snapshot = (topic: string, seq: number, n: number) => ({ type: 'snapshot', kind: 'events', topic, seq, data: { n } });
const delta = (topic: string, seq: number, n: number) => ({ type: 'delta', kind: 'events', topic, seq, data: { n } });

describe('LiveStore', () => {
  it('remembers when live data last arrived, for "as of" while offline, and forgets it on start', () => {
    const { store, receive } = setup();
    store.subscribe('events', counter, () => {});
    expect(store.dataAt()).toBeNull();
    vi.setSystemTime(1_000_000);
    receive(snapshot('events', 1, 1));
    expect(store.dataAt()).toBe(1_000_000);
    vi.setSystemTime(1_005_000);
    receive({ type: 'hello', protocolVersion: 1 }); // not data: the age stays
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
    expect(store.read<number[]>('events')?.state).toEqual([1, 2, 3]);
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
    expect(store.read<number[]>('events')?.state).toEqual([10]);
    receive(snapshot('events', 4, 40));
    receive(delta('events', 5, 50));
    expect(store.read<number[]>('events')?.state).toEqual([40, 50]);
    // the server sends a fresh snapshot itself; no extra subscribe was needed here
    expect(sent.filter((m) => (m as { type: string }).type === 'subscribe')).toHaveLength(1);
  });

  it('asks for a snapshot again when deltas keep missing for a while', () => {
    const { store, receive, sent } = setup();
    store.subscribe('events', counter, () => {});
    receive(snapshot('events', 1, 10));
    receive(delta('events', 3, 30));
    vi.advanceTimersByTime(3500);
    receive(delta('events', 40, 30));
    expect(sent.filter((m) => (m as { type: string }).type === 'subscribe')).toHaveLength(2);
  });

  it("keeps the server's refusal of a topic as its error", () => {
    const { store, receive } = setup();
    store.subscribe('device:0000:99:00.0', counter, () => {});
    receive({ type: 'error', topic: 'device:0000:99:00.0', error: { errno: 'ENOTFOUND', message: 'no such device' } });
    expect(store.read('device:0000:99:00.0')?.error).toBe('ENOTFOUND: no such device');
  });
});
