export { DriveSession, type DriveSessionOptions } from './drive-session.ts';
export { irqIndexName, vectorKey } from './irq-wiring.ts';
export { jsonSafe, type SessionEventListener } from './session-events.ts';
export type * from './session-types.ts';
export { resolveIommuKind, type IommuMode } from './iommu/open-context.ts';
export type { AttachedGroup, ContextMapRequest, IommuContext } from './iommu/iommu-context.ts';
