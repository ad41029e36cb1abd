/**
 * Writes the audit record of every action route (routes whose config names an
 * `action`) in onSend — after the handler or the error handler has decided
 * the answer and before a byte of it leaves — so refusals (no token, wrong
 * role, bad input) are on record exactly like kernel successes and failures.
 * Refusals that never reached the DriveSession also go to the event log as
 * errors; the session reports the rest itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TOKEN_QUERY_PARAM } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { actorOf } from './actor.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** audit name of the action this route performs ("dma.map", "device.reset", …) */
    action?: string;
    /** minimum role; 'public' needs no token */
    role?: 'public' | 'viewer' | 'operator';
  }
  interface FastifyRequest {
    /** set by a handler once it has called into the DriveSession */
    reachedBackend?: boolean;
  }
}

const MAX_PARAM_CHARS = 256;

function trimmed(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_PARAM_CHARS ? `${v.slice(0, MAX_PARAM_CHARS)}…(${v.length} chars)` : v;
  if (Array.isArray(v)) return v.slice(0, 32).map(trimmed);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== TOKEN_QUERY_PARAM) out[k] = trimmed(x);
    return out;
  }
  return v;
}

export function actionParams(req: FastifyRequest): Record<string, unknown> {
  return trimmed({
    ...(req.params as object | undefined),
    ...(typeof req.body === 'object' && req.body !== null ? (req.body as object) : {}),
  }) as Record<string, unknown>;
}

export function registerAuditHook(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const action = req.routeOptions.config?.action;
    if (!action) return payload;
    const status = reply.statusCode;
    let body: unknown = null;
    if (typeof payload === 'string') {
      try {
        body = JSON.parse(payload);
      } catch {
        body = null;
      }
    }
    const ok = status < 400;
    const problem = !ok ? (body as { error?: { errno?: string; message?: string } } | null)?.error : undefined;
    ctx.audit.append({
      tokenId: req.principal?.tokenId ?? null,
      role: req.principal?.role ?? null,
      remote: req.ip,
      action,
      params: actionParams(req),
      ok,
      status,
      ...(ok ? { result: trimmed(body) } : { errno: problem?.errno ?? 'EINTERNAL', message: problem?.message ?? '' }),
    });
    if (!ok && !req.reachedBackend) {
      ctx.eventLog.append({
        kind: 'error',
        message: `${action} refused: ${problem?.errno ?? status} ${problem?.message ?? ''}`.trim(),
        op: action,
        actor: actorOf(req),
        errno: problem?.errno ?? 'EINTERNAL',
        data: { params: actionParams(req), status },
      });
    }
    return payload;
  });
}
