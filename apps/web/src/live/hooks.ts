/**
 * React's view of the live store: one store per page, topics read through
 * useSyncExternalStore so a component re-renders only when its topic changed
 * (at most once per animation frame).
 */
import { useCallback, useSyncExternalStore } from 'react';
import { deviceTopic, mappingsTopic, type Topic } from '@vfioscope/protocol';
import { LiveStore, type TopicReducer, type TopicState } from './live-store.ts';
import { wireCodec } from './wire-codec.ts';
import {
  alertsReducer,
  deviceReducer,
  eventsReducer,
  hostReducer,
  mappingsReducer,
  pinnedReducer,
  ratesReducer,
  topologyReducer,
} from './reducers.ts';

export const liveStore = new LiveStore(wireCodec);

const EMPTY: TopicState<never> = { state: undefined, seq: -1, updatedAt: 0, error: null };

export function useTopic<S>(topic: Topic | null, reducer: TopicReducer<S>): TopicState<S> {
  const subscribe = useCallback(
    (onChange: () => void) => (topic === null ? () => {} : liveStore.subscribe(topic, reducer, onChange)),
    [topic, reducer],
  );
  const read = useCallback(() => (topic === null ? EMPTY : (liveStore.read<S>(topic) ?? EMPTY)), [topic]);
  return useSyncExternalStore(subscribe, read);
}

export const useTopology = () => useTopic('topology', topologyReducer);
export const useHostLive = () => useTopic('host', hostReducer);
export const useRates = () => useTopic('irq-rates', ratesReducer);
export const usePinned = () => useTopic('pinned', pinnedReducer);
export const useEvents = () => useTopic('events', eventsReducer);
export const useAlerts = () => useTopic('alerts', alertsReducer);
export const useDeviceLive = (bdf: string | null) => useTopic(bdf === null ? null : deviceTopic(bdf), deviceReducer);
export const useMappings = (container: number | null) => useTopic(container === null ? null : mappingsTopic(container), mappingsReducer);

/** the stream socket's state: connecting, open or closed (with the next retry) */
export function useConnection() {
  return useSyncExternalStore(
    useCallback((fn: () => void) => liveStore.onConnection(fn), []),
    () => liveStore.connection(),
  );
}

/**
 * Offline: the stream is down after live data had arrived, so what is on
 * screen is a picture of the past (say how old; grey out what alarms).
 */
export function useOffline(): { offline: boolean; asOf: number | null } {
  const c = useConnection();
  const asOf = liveStore.dataAt();
  return { offline: c.state !== 'open' && asOf !== null, asOf };
}
