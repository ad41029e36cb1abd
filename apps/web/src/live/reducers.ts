/**
 * Per-topic client state and how snapshots and deltas build it. Table topics
 * are kept as maps keyed like the wire's diffs, so a delta replaces only the
 * rows it names: unchanged rows keep their object identity and memoised rows
 * do not re-render.
 */
import {
  type Alert,
  applyIrqRatesDelta,
  DEVICE_HISTORY_MS,
  type DeviceSnapshot,
  type HistoryPoint,
  type HostSnapshot,
  type LogEvent,
  type MappingRow,
  type PinnedSnapshot,
  type TopologyResponse,
  type VectorRate,
} from '@vfioscope/protocol';
import type { TopicReducer } from './live-store.ts';

/** how much rate history the client keeps per vector, ms: what a device snapshot carries */
export const HISTORY_WINDOW_MS = DEVICE_HISTORY_MS;
const EVENTS_KEPT = 2000;
const TOTAL_POINTS_KEPT = 600;

function trimHistory(points: HistoryPoint[], now: number): HistoryPoint[] {
  let i = 0;
  while (i < points.length && points[i]!.t < now - HISTORY_WINDOW_MS) i++;
  return i === 0 ? points : points.slice(i);
}

/** Reuses the previous object for every item that did not change, so unchanged group cards keep their identity. */
function keepUnchanged<T>(prev: T[], next: T[], key: (x: T) => string | number): T[] {
  const old = new Map(prev.map((x) => [key(x), x]));
  return next.map((x) => {
    const p = old.get(key(x));
    return p !== undefined && JSON.stringify(p) === JSON.stringify(x) ? p : x;
  });
}

export const topologyReducer: TopicReducer<'topology', TopologyResponse> = {
  kind: 'topology',
  snapshot: (data, prev) => topologyReducer.delta(prev ?? { groups: [], devices: [] }, data),
  // the server sends the whole topology again when it changed
  delta: (s, d) => ({ groups: keepUnchanged(s.groups, d.groups, (g) => g.id), devices: keepUnchanged(s.devices, d.devices, (x) => x.bdf) }),
};

export const hostReducer: TopicReducer<'host', HostSnapshot> = {
  kind: 'host',
  snapshot: (data) => data,
  delta: (s, data) => ({ ...s, live: data.live }),
};

export interface RatesState {
  t: number;
  byKey: Map<string, VectorRate>;
  /** the rows in the wire's index order (irq-rates deltas name a vector by its place here) */
  rows: VectorRate[];
  /** the host-wide sum of rates over time (drawn on the Interrupts view) */
  total: HistoryPoint[];
  /** a delta did not fit the rows (a bug on one end): the state waits for a fresh snapshot */
  misfit?: true;
}

function withTotal(total: HistoryPoint[], t: number, byKey: Map<string, VectorRate>): HistoryPoint[] {
  let sum = 0;
  for (const r of byKey.values()) sum += r.rate;
  const next = total.length >= TOTAL_POINTS_KEPT ? total.slice(total.length - TOTAL_POINTS_KEPT + 1) : total.slice();
  next.push({ t, rate: sum });
  return next;
}

export const ratesReducer: TopicReducer<'irq-rates', RatesState> = {
  kind: 'irq-rates',
  snapshot: (d, prev) => {
    const byKey = new Map(d.rates.map((r) => [r.key, r]));
    return { t: d.t, byKey, rows: d.rates, total: withTotal(prev?.total ?? [], d.t, byKey) };
  },
  delta: (s, d) => {
    const rows = s.misfit ? null : applyIrqRatesDelta(s.rows, d);
    if (rows === null) return s.misfit ? s : { ...s, misfit: true };
    // rebuilt in index order, so a vector keeps its place in the map (and rows the delta left alone their identity)
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return { t: d.t, byKey, rows, total: withTotal(s.total, d.t, byKey) };
  },
  stale: (s) => s.misfit === true,
};

export interface DeviceLive {
  bdf: string;
  t: number;
  groupOpen: boolean;
  rates: VectorRate[];
  history: Map<string, HistoryPoint[]>;
  state: DeviceSnapshot['state'];
  /** the reset section: sent whole when it changed (a reset by anyone, the device held or released) */
  reset: DeviceSnapshot['reset'];
  /** a delta's rates did not fit the rows (a bug on one end): the state waits for a fresh snapshot */
  misfit?: true;
}

export const deviceReducer: TopicReducer<'device', DeviceLive> = {
  kind: 'device',
  snapshot: (d) => {
    return {
      bdf: d.bdf,
      t: d.t,
      groupOpen: d.groupOpen,
      rates: d.rates,
      history: new Map(d.history.map((h) => [h.key, trimHistory(h.points, d.t)])),
      state: d.state,
      reset: d.reset,
    };
  },
  delta: (s, d) => {
    const rates = s.misfit ? null : applyIrqRatesDelta(s.rates, d.rates);
    if (rates === null) return s.misfit ? s : { ...s, misfit: true };
    const history = new Map<string, HistoryPoint[]>();
    for (const r of rates) {
      const prev = s.history.get(r.key) ?? [];
      history.set(r.key, trimHistory([...prev, { t: d.t, rate: r.rate }], d.t));
    }
    return {
      ...s,
      t: d.t,
      groupOpen: d.groupOpen,
      rates,
      history,
      state: d.state === undefined ? s.state : d.state,
      reset: d.reset ?? s.reset,
    };
  },
  stale: (s) => s.misfit === true,
};

export interface MappingsState {
  container: number;
  total: number;
  byIova: Map<string, MappingRow>;
}

export const mappingsReducer: TopicReducer<'mappings', MappingsState> = {
  kind: 'mappings',
  snapshot: (d) => {
    return { container: d.container, total: d.total, byIova: new Map(d.rows.map((r) => [r.iova, r])) };
  },
  delta: (s, d) => {
    const byIova = new Map(s.byIova);
    for (const k of d.remove) byIova.delete(k);
    for (const r of d.add) byIova.set(r.iova, r);
    for (const r of d.change) byIova.set(r.iova, r);
    return { container: d.container, total: d.total, byIova };
  },
};

export interface PinnedPoint {
  t: number;
  pinnedBytes: number;
  entries: number;
}

export interface PinnedState {
  latest: PinnedSnapshot;
  /** per container: pinned bytes and DMA entries over time (the server sends a snapshot when they change) */
  history: Map<number, PinnedPoint[]>;
}

const PINNED_POINTS_KEPT = 600;

function withPinnedHistory(prev: Map<number, PinnedPoint[]> | undefined, d: PinnedSnapshot): Map<number, PinnedPoint[]> {
  const history = new Map<number, PinnedPoint[]>();
  for (const e of d.dmaEntries) {
    const stat = d.stats.find((s) => s.scope === 'container' && s.id === e.container);
    const old = prev?.get(e.container) ?? [];
    const next = old.length >= PINNED_POINTS_KEPT ? old.slice(1) : old.slice();
    next.push({ t: d.t, pinnedBytes: stat?.pinnedBytes ?? 0, entries: e.used });
    history.set(e.container, next);
  }
  return history;
}

export const pinnedReducer: TopicReducer<'pinned', PinnedState> = {
  kind: 'pinned',
  snapshot: (data, prev) => ({ latest: data, history: withPinnedHistory(prev?.history, data) }),
  delta: (s, data) => ({ latest: data, history: withPinnedHistory(s.history, data) }),
};

export const eventsReducer: TopicReducer<'events', LogEvent[]> = {
  kind: 'events',
  snapshot: (data) => data.events.slice(-EVENTS_KEPT),
  delta: (s, data) => {
    const fresh = data.events;
    if (fresh.length === 0) return s;
    const last = s.length ? s[s.length - 1]!.seq : -1;
    const merged = s.concat(fresh.filter((e) => e.seq > last));
    return merged.length > EVENTS_KEPT ? merged.slice(merged.length - EVENTS_KEPT) : merged;
  },
};

export const alertsReducer: TopicReducer<'alerts', Map<string, Alert>> = {
  kind: 'alerts',
  snapshot: (data) => new Map(data.alerts.map((a) => [a.id, a])),
  delta: (s, data) => {
    const next = new Map(s);
    for (const a of data.upsert) next.set(a.id, a);
    return next;
  },
};
