export {
  EventLog,
  type EventCursor,
  type EventLogOptions,
  type EventLogQuery,
  type EventLogStats,
  type EventPage,
  type LogEvent,
  type LogEventInput,
  type LogEventKind,
} from './event-log.ts';
export {
  JsonLinesFile,
  type JsonLine,
  type JsonLinesFileOptions,
  type LineReadOptions,
  type LineSearch,
  type RotationEvent,
  type TailOptions,
} from './jsonl-file.ts';
export { readJsonLinesTail } from './jsonl-lines.ts';
export { IrqRateSampler, parseKey, type SamplerOptions, type VectorSeries } from './irq-rate-sampler.ts';
export { DEFAULT_DMA_ENTRY_LIMIT, dmaEntryStats, pinnedStats } from './pinned-memory.ts';
export { RingBuffer, type RingBufferKind } from './ring-buffer.ts';
export { sessionEventToLog } from './session-log.ts';
export { DEFAULT_STORM_CONFIG, StormDetector, type StormChange, type StormSample } from './storm-detector.ts';
export { changesObservedHost, ObservedHost, type ObservedHostOptions, type ObservedSnapshot } from './observed-host.ts';
export { TelemetryEngine, type TelemetryEngineOptions } from './telemetry-engine.ts';
export type * from './telemetry-types.ts';
export { VectorOwners } from './vector-owners.ts';
export { type KernelCount, KernelLogFollower } from './kernel-log-follower.ts';
export { FAULT_STORM_COUNT, FAULT_STORM_WINDOW_MS, KernelAlerts, MEMLOCK_HOLD_MS } from './kernel-alerts.ts';
export { FAULT_RATE_WINDOW_MS, IommuFaults } from './iommu-faults.ts';
