/**
 * @vfioscope/protocol — the wire between the server and the web UI, as
 * TypeBox schemas.
 *
 * Why TypeBox: a TypeBox schema is plain JSON Schema at runtime, which Fastify
 * (Ajv) validates natively, and a TypeScript type at compile time via
 * Static<>. One definition gives the server its request validation and the
 * web its types, with no code generation step and nothing to keep in sync.
 * The package holds only schemas and pure helpers (no Node APIs), so the
 * browser bundle can import it.
 */
export * from './version.ts';
export * from './primitives.ts';
export * from './problems.ts';
export * from './wire-values.ts';
export * from './rest/host.ts';
export * from './rest/topology.ts';
export * from './rest/devices.ts';
export * from './rest/reset.ts';
export * from './rest/containers.ts';
export * from './rest/telemetry.ts';
export * from './rest/alerts.ts';
export * from './rest/hosts.ts';
export * from './rest/recordings.ts';
export * from './rest/replay.ts';
export * from './rest/report.ts';
export * from './rest/openapi.ts';
export * from './stream/topics.ts';
export * from './stream/irq-rates-delta.ts';
export * from './stream/messages.ts';
export type { Static, TSchema } from '@sinclair/typebox';
export * from './stream/validate.ts';
export * from './routes.ts';
export * from './client.ts';
// the DMA request rules the kernel applies before its mapping table, shared with the server (the web form checks with them)
export { dmaMapProblem, dmaUnmapProblem, type DmaRequestProblem, type IommuKind } from '@vfioscope/host/rules';
// the kernel's CPU list format (smp_affinity_list), shared with the server; the affinity form parses with it
export { formatCpuList, parseCpuList } from '@vfioscope/host/rules';
export * from './recording/format.ts';
