/**
 * React's view of the live store of the host shown (HostClientProvider),
 * topics read through useSyncExternalStore so a component re-renders only
 * when its topic changed (at most once per animation frame).
 */
import { useCallback, useSyncExternalStore } from 'react';
import { deviceTopic, mappingsTopic, type StreamKind, type Topic } from '@vfioscope/protocol';
import { TopicModel, type TopicState } from './live-store.ts';
import { useHostClient } from '../host/HostClientProvider.tsx';
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

const EMPTY: TopicState<never> = { state: undefined, seq: -1, updatedAt: 0, error: null };

/** One model per kind of client state: the state of each topic lives in it, typed by its reducer. */
export const models = {
  topology: new TopicModel(topologyReducer),
  host: new TopicModel(hostReducer),
  rates: new TopicModel(ratesReducer),
  pinned: new TopicModel(pinnedReducer),
  events: new TopicModel(eventsReducer),
  alerts: new TopicModel(alertsReducer),
  device: new TopicModel(deviceReducer),
  mappings: new TopicModel(mappingsReducer),
};

export function useTopic<K extends StreamKind, S>(topic: Topic | null, model: TopicModel<K, S>): TopicState<S> {
  const { store: liveStore } = useHostClient();
  const subscribe = useCallback(
    (onChange: () => void) => (topic === null ? () => {} : liveStore.subscribe(topic, model, onChange)),
    [topic, model, liveStore],
  );
  const read = useCallback(() => (topic === null ? EMPTY : liveStore.read(topic, model)), [topic, model, liveStore]);
  return useSyncExternalStore(subscribe, read);
}

export const useTopology = () => useTopic('topology', models.topology);
export const useHostLive = () => useTopic('host', models.host);
export const useRates = () => useTopic('irq-rates', models.rates);
export const usePinned = () => useTopic('pinned', models.pinned);
export const useEvents = () => useTopic('events', models.events);
export const useAlerts = () => useTopic('alerts', models.alerts);
export const useDeviceLive = (bdf: string | null) => useTopic(bdf === null ? null : deviceTopic(bdf), models.device);
export const useMappings = (container: number | null) => useTopic(container === null ? null : mappingsTopic(container), models.mappings);

/** the stream socket's state: connecting, open or closed (with the next retry) */
export function useConnection() {
  const { store: liveStore } = useHostClient();
  return useSyncExternalStore(
    useCallback((fn: () => void) => liveStore.onConnection(fn), [liveStore]),
    () => liveStore.connection(),
  );
}

/**
 * Offline: the stream is down after live data had arrived, so what is on
 * screen is a picture of the past (say how old; grey out what alarms).
 */
export function useOffline(): { offline: boolean; asOf: number | null } {
  const { store } = useHostClient();
  const c = useConnection();
  const asOf = store.dataAt();
  return { offline: c.state !== 'open' && asOf !== null, asOf };
}
