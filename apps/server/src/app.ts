/**
 * buildApp(): the whole server as a Fastify instance that is not listening —
 * tests drive it with app.inject and injectWS, `serve` adds listen(). It
 * wires host → DriveSession → telemetry → stream hub, registers auth, audit,
 * the REST routes, the stream, /metrics and the web UI, and on close tears
 * down in order: stop sampling, close sockets, release what vfioscope holds
 * in the kernel (session.close, kernel teardown order), flush the logs.
 * The Host itself belongs to the caller.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { Host, HostInfo } from '@vfioscope/host';
import type { RecordingHeader } from '@vfioscope/protocol';
import { DriveSession, type IommuMode, type SessionEvent } from '@vfioscope/session';
import { changesObservedHost, EventLog, sessionEventToLog, TelemetryEngine, type StormConfig } from '@vfioscope/telemetry';
import type { TopicKind } from '@vfioscope/protocol';
import { currentActor } from './audit/actor.ts';
import { AuditLog, DEFAULT_LOG_MAX_BYTES } from './audit/audit-log.ts';
import { registerAuditHook } from './audit/audit-hook.ts';
import { RefusalLog } from './audit/refusals.ts';
import { registerAuthHook } from './auth/auth-hook.ts';
import { AllowedHosts } from './auth/request-origin.ts';
import type { TokenStore } from './auth/tokens.ts';
import {
  DEFAULT_LOG_KEEP,
  DEFAULT_METRICS_MAX_VECTORS,
  DEFAULT_STREAM_LIMITS,
  DEFAULT_TICK_HZ,
  ensureDataDir,
  type StreamLimits,
} from './config.ts';
import type { ServerContext } from './context.ts';
import { errorHandler } from './errors.ts';
import type { FleetOptions } from './fleet/fleet.ts';
import { registerFleet } from './fleet/register.ts';
import { clientErrorHandler, frameworkErrors, refuseConnect } from './http/framework-errors.ts';
import { registerCompression } from './http/compression.ts';
import { BODY_LIMIT_BYTES, registerJsonBodyParser } from './http/json-body.ts';
import { registerOpenApi } from './http/openapi.ts';
import { requireDeclaredRoles } from './http/route-registry.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { createMetrics, registerMetricsRoute } from './metrics.ts';
import { registerContainerRoutes } from './routes/containers.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerGroupRoutes } from './routes/groups.ts';
import { registerIrqRoutes } from './routes/irqs.ts';
import { registerReadRoutes } from './routes/read.ts';
import { registerRecordingRoutes } from './routes/recordings.ts';
import { recordedHostFacts } from './recording/recording-header.ts';
import { ServerRecordings } from './recording/server-recordings.ts';
import { registerStreamRoute } from './routes/stream.ts';
import { registerTelemetryRoutes } from './routes/telemetry.ts';
import { StreamHub } from './stream/hub.ts';
import type { RecordingIndex } from './replay/recording-index.ts';
import { registerLiveReplayRoutes, registerRecordingBodyParser, registerReplay } from './replay/register-replay.ts';
import { liveReportSource } from './report/live-report-source.ts';
import { registerReportRoute } from './report/register-report.ts';
import { followReplay } from './report/replay-report-source.ts';
import { ReplayHub } from './replay/replay-hub.ts';
import { registerWeb } from './web/static.ts';

export interface AppOptions {
  host: Host;
  tokens: TokenStore;
  /** where audit.log and events.jsonl go (created if missing); null keeps nothing on disk (benchmarks) */
  dataDir: string | null;
  tickHz?: number;
  storm?: Partial<StormConfig>;
  /** Origins besides the server's own allowed to act and open the stream ("*" = any) */
  allowedOrigins?: string[];
  /** the address the server listens on: a name the Host header may carry (with localhost and allowedHosts) */
  listenHost?: string;
  /** further names the Host header may carry (--allowed-host) */
  allowedHosts?: string[];
  /** where the operator token of a server without --token-file is kept (told to a signed-out page) */
  sessionTokenFile?: string;
  /** which IOMMU path vfioscope drives (serve --iommu; default auto: iommufd where the kernel offers it) */
  iommu?: IommuMode;
  /** /metrics without a token (--metrics-public) */
  metricsPublic?: boolean;
  /** the busiest vectors with a per-vector series on /metrics (--metrics-max-vectors; default 1000, null = all) */
  metricsMaxVectors?: number | null;
  /** serve HTTPS/WSS with this certificate and key (PEM) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** audit.log and events.jsonl rotate past this size (default 64 MiB) */
  logMaxBytes?: number;
  /** rotated events.jsonl files kept (audit files are never deleted) */
  logKeep?: number;
  /** the built web UI; default apps/web/dist */
  webDir?: string | null;
  /** compress responses by Accept-Encoding, the UI's files from their precompressed copies (default true; serve --no-compress) */
  compress?: boolean;
  stream?: Partial<StreamLimits>;
  /** Fastify's pino logger: false (default) or e.g. { level: 'warn' } */
  logger?: boolean | { level: string };
  /** run the telemetry timer (default true); tests call app.vfio.tick() instead */
  autoTick?: boolean;
  /** replay this recording (serve --replay): the stream comes from it, every action answers EROFS */
  replay?: { file: string; index: RecordingIndex };
  /** wall clock for telemetry and stream timestamps */
  clock?: () => number;
  /** this host's name and the peers it fronts (serve --name, --peers) */
  fleet?: FleetOptions;
  /** how the Record button's files are created (tests: /dev/full); default open(2) with O_EXCL */
  recordingOpenFile?: (file: string) => number;
}

export interface VfioApp {
  ctx: ServerContext;
  hub: StreamHub;
  /** one sampling step followed by one stream step (what the timer does at tickHz) */
  tick(): Promise<void>;
  /** 'bundle' when the built UI is served, 'stub' otherwise */
  web: 'bundle' | 'stub';
}

declare module 'fastify' {
  interface FastifyInstance {
    vfio: VfioApp;
  }
}

/**
 * The stream topics a session action can change. Topology follows the
 * observed-host snapshot, which those same actions invalidate; forcing it on
 * every DMA map or region access would make it per-tick work during heavy
 * mapping.
 */
function topicsChangedBy(op: SessionEvent['op']): TopicKind[] {
  if (changesObservedHost(op)) return ['topology', 'host', 'pinned', 'mappings'];
  if (op === 'mapDma' || op === 'unmapDma') return ['host', 'pinned', 'mappings'];
  return [];
}

/** The recorded host's facts over the stand-in's (whose own scenario must not show through). */
async function replayedHostInfo(host: Host, rec: RecordingHeader['host']): Promise<HostInfo> {
  const { scenario: _standIn, ...base } = await host.hostInfo();
  return {
    ...base,
    backend: rec.backend,
    hostname: rec.name,
    kernel: rec.kernel,
    ...(rec.scenario !== undefined ? { scenario: rec.scenario } : {}),
  };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const tickHz = opts.tickHz ?? DEFAULT_TICK_HZ;
  const now = opts.clock ?? Date.now;
  const dataDir = opts.dataDir === null ? null : ensureDataDir(opts.dataDir);
  const logMaxBytes = opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES;
  let log: FastifyInstance['log'] | null = null;
  const eventLog = new EventLog(dataDir ? join(dataDir, 'events.jsonl') : null, {
    maxBytes: logMaxBytes,
    keep: opts.logKeep ?? DEFAULT_LOG_KEEP,
    // the clock telemetry and the stream stamp with, so an event lines up with the rates around it (a report's window)
    clock: now,
    // events stay in memory and on the stream; the disk's refusal is said once per outage (and counted in /metrics)
    onWriteError: (err) => log?.error(`events.jsonl: cannot write (${err.code ?? err.message}); events are kept in memory until it can`),
  });
  const audit = new AuditLog(dataDir ? join(dataDir, 'audit.log') : null, {
    maxBytes: logMaxBytes,
    onRotate: (e) => {
      if (e.type === 'rotated')
        eventLog.append({ kind: 'info', message: `audit.log rotated to ${e.to} (${e.bytes} bytes; vfioscope never deletes audit files)` });
    },
  });
  const refusals = new RefusalLog({
    audit,
    event: (message, data) => eventLog.append({ kind: 'error', message, op: 'auth', errno: 'EAUTH', data }),
    clock: now,
  });
  // a replay's host is the recorded one (the host under the app is an idle stand-in nothing reads)
  const rec = opts.replay?.index.header.host;
  const hostInfo = rec ? await replayedHostInfo(opts.host, rec) : await opts.host.hostInfo();

  let hub: StreamHub | null = null;
  const session = new DriveSession(opts.host, {
    iommu: opts.iommu ?? 'auto',
    onEvent: (e: SessionEvent) => {
      eventLog.append(sessionEventToLog(e, currentActor()));
      hub?.invalidate(topicsChangedBy(e.op));
    },
  });
  const telemetry = new TelemetryEngine({
    host: opts.host,
    session,
    tickHz,
    eventLog,
    clock: now,
    ...(opts.storm ? { storm: opts.storm } : {}),
  });
  const ctx: ServerContext = {
    host: opts.host,
    hostInfo,
    session,
    telemetry,
    observed: telemetry.observed,
    eventLog,
    audit,
    auditWriteFailures: 0,
    refusals,
    tokens: opts.tokens,
    allowedHosts: new AllowedHosts(opts.listenHost ?? null, opts.allowedHosts ?? []),
    tls: opts.tls !== undefined,
    tickHz,
    startedAt: now(),
    sessionTokenFile: opts.sessionTokenFile ?? null,
    allowedOrigins: opts.allowedOrigins ?? [],
    stream: { ...DEFAULT_STREAM_LIMITS, ...opts.stream },
    now,
  };
  hub = new StreamHub(ctx);
  const streamHub = hub;

  // typed as the plain-HTTP instance: routes and hooks do not depend on the transport under them
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, verbose: true } },
    frameworkErrors,
    clientErrorHandler,
    // "//api//v1//topology" is the topology route (and needs what it needs), not some other path
    routerOptions: { ignoreDuplicateSlashes: true },
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  log = app.log;
  app.server.on('connect', refuseConnect);
  requireDeclaredRoles(app);
  app.setErrorHandler(errorHandler);
  registerJsonBodyParser(app);
  registerRecordingBodyParser(app);
  // a POST/DELETE without a body is an empty object: required fields are then named one by one
  app.addHook('preValidation', async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.body === undefined) req.body = {};
  });
  registerSecurityHeaders(app, { tls: ctx.tls });
  const compress = opts.compress !== false;
  if (compress) await registerCompression(app);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  registerAuthHook(app, ctx);
  registerAuditHook(app, ctx);
  // before every route: the document is collected as routes are added
  await registerOpenApi(app);

  registerReadRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerIrqRoutes(app, ctx);
  registerContainerRoutes(app, ctx);
  registerTelemetryRoutes(app, ctx);
  const recordings = new ServerRecordings({
    dataDir,
    hub: streamHub,
    host: recordedHostFacts(hostInfo, tickHz),
    eventLog,
    now,
    ...(opts.recordingOpenFile ? { openFile: opts.recordingOpenFile } : {}),
  });
  registerRecordingRoutes(app, recordings);
  // before the hub closes its clients (the preClose below): a running recording ends with its end line
  app.addHook('preClose', async () => recordings.close());
  registerFleet(app, ctx, streamHub, opts.fleet);
  if (opts.replay) {
    const replayHub = new ReplayHub(opts.replay.index, {
      stepMs: 1000 / tickHz,
      heartbeatMs: ctx.stream.heartbeatMs,
      bufferCapBytes: ctx.stream.bufferCapBytes,
    });
    const replay = { ...opts.replay, hub: replayHub };
    registerReplay(app, replay);
    // the report reads whichever recording is replayed now (another can be opened)
    registerReportRoute(app, followReplay(replay), now);
    registerStreamRoute(app, ctx, replayHub);
    app.addHook('onReady', async () => replayHub.start());
    app.addHook('preClose', async () => replayHub.close());
  } else {
    registerLiveReplayRoutes(app);
    registerReportRoute(app, liveReportSource(ctx), now);
    registerStreamRoute(app, ctx, streamHub);
  }
  const metrics = createMetrics(ctx, streamHub, {
    maxVectors: opts.metricsMaxVectors === undefined ? DEFAULT_METRICS_MAX_VECTORS : opts.metricsMaxVectors,
  });
  registerMetricsRoute(app, metrics, { public: opts.metricsPublic === true });
  const web = await registerWeb(app, opts.webDir ?? null, { preCompressed: compress });

  let stopTickListener: (() => void) | null = null;
  const vfio: VfioApp = {
    ctx,
    hub: streamHub,
    web,
    async tick() {
      await telemetry.tick();
      await streamHub.tick();
    },
  };
  app.decorate('vfio', vfio);

  app.addHook('onReady', async () => {
    streamHub.start();
    if (opts.autoTick !== false) {
      stopTickListener = telemetry.on('tick', () => void streamHub.tick());
      telemetry.start();
    }
  });
  app.addHook('preClose', async () => {
    // sockets first, so the server's close does not wait on long-lived streams
    telemetry.stop();
    stopTickListener?.();
    streamHub.close();
  });
  app.addHook('onClose', async () => {
    telemetry.dispose();
    try {
      await session.close(); // IRQs off, device fds closed, DMA unmapped, groups unset, containers closed
    } finally {
      refusals.close();
      await eventLog.close();
      await audit.close();
    }
  });
  return app;
}
