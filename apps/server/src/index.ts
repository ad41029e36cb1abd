/**
 * @vfioscope/server: the Fastify app (buildApp, for tests and embedding) and
 * the running server (listen + ordered shutdown).
 */
export { buildApp, type AppOptions, type VfioApp } from './app.ts';
export { listen, shutdownOnSignals, type RunningServer } from './server.ts';
export { TokenStore, generateToken, parseTokenFile, loadTokenFile, tokenId, type Principal } from './auth/tokens.ts';
export { AuditLog, type AuditRecord } from './audit/audit-log.ts';
export { DEFAULT_STREAM_LIMITS, defaultDataDir, parseListen, type StreamLimits } from './config.ts';
