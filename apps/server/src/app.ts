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
import { DriveSession, type Host, type SessionEvent } from '@vfioscope/host';
import { EventLog, sessionEventToLog, TelemetryEngine, type StormConfig } from '@vfioscope/telemetry';
import type { TopicKind } from '@vfioscope/protocol';
import { currentActor } from './audit/actor.ts';
import { AuditLog } from './audit/audit-log.ts';
import { registerAuditHook } from './audit/audit-hook.ts';
import { registerAuthHook } from './auth/auth-hook.ts';
import type { TokenStore } from './auth/tokens.ts';
import { DEFAULT_STREAM_LIMITS, DEFAULT_TICK_HZ, ensureDataDir, type StreamLimits } from './config.ts';
import type { ServerContext } from './context.ts';
import { errorHandler } from './errors.ts';
import { createMetrics, registerMetricsRoute } from './metrics.ts';
import { registerContainerRoutes } from './routes/containers.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerGroupRoutes } from './routes/groups.ts';
import { registerIrqRoutes } from './routes/irqs.ts';
import { registerReadRoutes } from './routes/read.ts';
import { registerStreamRoute } from './routes/stream.ts';
import { registerTelemetryRoutes } from './routes/telemetry.ts';
import { StreamHub } from './stream/hub.ts';
import { registerWeb } from './web/static.ts';

export interface AppOptions {
  host: Host;
  tokens: TokenStore;
  /** where audit.log and events.jsonl go (created if missing); null keeps nothing on disk (benchmarks) */
  dataDir: string | null;
  tickHz?: number;
  storm?: Partial<StormConfig>;
  /** Origins besides the server's own host allowed to open the stream ("*" = any) */
  allowedOrigins?: string[];
  /** the built web UI; default apps/web/dist */
  webDir?: string | null;
  stream?: Partial<StreamLimits>;
  /** Fastify's pino logger: false (default) or e.g. { level: 'warn' } */
  logger?: boolean | { level: string };
  /** run the telemetry timer (default true); tests call app.vfio.tick() instead */
  autoTick?: boolean;
  /** wall clock for telemetry and stream timestamps */
  clock?: () => number;
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

const BODY_LIMIT = 64 * 1024;

/**
 * The stream topics a session action can change. Topology (sysfs walk, owners)
 * is recomputed once a second anyway; forcing it on every DMA map or region
 * access would make it per-tick work during heavy mapping.
 */
function topicsChangedBy(op: SessionEvent['op']): TopicKind[] {
  switch (op) {
    case 'openGroup':
    case 'closeGroup':
    case 'openDevice':
    case 'close':
      return ['topology', 'host', 'pinned', 'mappings'];
    case 'mapDma':
    case 'unmapDma':
      return ['host', 'pinned', 'mappings'];
    default:
      return [];
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const tickHz = opts.tickHz ?? DEFAULT_TICK_HZ;
  const now = opts.clock ?? Date.now;
  const dataDir = opts.dataDir === null ? null : ensureDataDir(opts.dataDir);
  const eventLog = new EventLog(dataDir ? join(dataDir, 'events.jsonl') : null);
  const audit = new AuditLog(dataDir ? join(dataDir, 'audit.log') : null);
  const hostInfo = await opts.host.hostInfo();

  let hub: StreamHub | null = null;
  const session = new DriveSession(opts.host, {
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
    eventLog,
    audit,
    tokens: opts.tokens,
    tickHz,
    startedAt: now(),
    allowedOrigins: opts.allowedOrigins ?? [],
    stream: { ...DEFAULT_STREAM_LIMITS, ...opts.stream },
    now,
  };
  hub = new StreamHub(ctx);
  const streamHub = hub;

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, verbose: true } },
  });
  app.setErrorHandler(errorHandler);
  // an empty JSON body is no body (clients post actions without one)
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      const err = Object.assign(new Error(`body is not valid JSON: ${(e as Error).message}`), { statusCode: 400 });
      done(err, undefined);
    }
  });
  // a POST without a body is an empty object: required fields are then named one by one
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  registerAuthHook(app, ctx);
  registerAuditHook(app, ctx);

  registerReadRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerIrqRoutes(app, ctx);
  registerContainerRoutes(app, ctx);
  registerTelemetryRoutes(app, ctx);
  registerStreamRoute(app, ctx, streamHub);
  registerMetricsRoute(app, createMetrics(ctx, streamHub));
  const web = await registerWeb(app, opts.webDir ?? null);

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
      await eventLog.close();
      audit.close();
    }
  });
  return app;
}
