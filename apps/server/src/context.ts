/**
 * Everything a route or stream producer needs, built once per app: the host
 * backend, vfioscope's DriveSession over it, the telemetry engine sampling
 * both and its observed-host snapshot, the event and audit logs, and the
 * token store. Readers take topology and owners from `observed`, never from
 * the host, so a page load, a stream tick and a scrape share one walk.
 */
import type { Host, HostInfo } from '@vfioscope/host';
import type { DriveSession } from '@vfioscope/session';
import type { EventLog, ObservedHost, TelemetryEngine } from '@vfioscope/telemetry';
import type { AuditLog } from './audit/audit-log.ts';
import type { RefusalLog } from './audit/refusals.ts';
import type { AllowedHosts } from './auth/request-origin.ts';
import type { TokenStore } from './auth/tokens.ts';
import type { StreamLimits } from './config.ts';

export interface ServerContext {
  host: Host;
  hostInfo: HostInfo;
  session: DriveSession;
  telemetry: TelemetryEngine;
  /** topology and owners: every reader's view of the host, walked once per refresh (telemetry's) */
  observed: ObservedHost;
  eventLog: EventLog;
  audit: AuditLog;
  /** audit writes that failed (intents refused with 503, results lost after the action) */
  auditWriteFailures: number;
  refusals: RefusalLog;
  tokens: TokenStore;
  /** the names the Host header may carry */
  allowedHosts: AllowedHosts;
  /** served over TLS (cookies get Secure, HSTS is sent) */
  tls: boolean;
  tickHz: number;
  startedAt: number;
  /** <data-dir>/session-token when the server made its own operator token, else null */
  sessionTokenFile: string | null;
  /** Origins besides our own that may act and open the stream */
  allowedOrigins: readonly string[];
  stream: StreamLimits;
  /** wall clock used for stream timestamps (tests may pin it) */
  now: () => number;
}
