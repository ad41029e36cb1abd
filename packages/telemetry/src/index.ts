export { EventLog, type EventLogOptions, type EventLogQuery, type LogEvent, type LogEventInput, type LogEventKind } from './event-log.ts';
export { IrqRateSampler, parseKey, type SamplerOptions, type VectorSeries } from './irq-rate-sampler.ts';
export { DEFAULT_DMA_ENTRY_LIMIT, dmaEntryStats, pinnedStats } from './pinned-memory.ts';
export { RingBuffer, type RingBufferKind } from './ring-buffer.ts';
export { sessionEventToLog } from './session-log.ts';
export { DEFAULT_STORM_CONFIG, StormDetector, type StormChange, type StormSample } from './storm-detector.ts';
export { TelemetryEngine, type TelemetryEngineOptions } from './telemetry-engine.ts';
export type * from './telemetry-types.ts';
export { VectorOwners } from './vector-owners.ts';
