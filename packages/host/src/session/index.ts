export { DriveSession, type DriveSessionOptions } from './drive-session.ts';
export { irqIndexName, vectorKey } from './irq-wiring.ts';
export { jsonSafe, type SessionEventListener } from './session-events.ts';
export type * from './session-types.ts';
