/**
 * The audit trail of every action route (a route whose table entry names an
 * `action`):
 *  - preHandler (after auth and schema validation, before the handler):
 *    the intent, durable, or a 503 naming the write's errno and nothing
 *    reaches the backend;
 *  - onSend (after the answer is decided, before a byte leaves): the result
 *    under the intent's id — or, for an action refused before its intent
 *    (bad input), one "refused" record;
 *  - onResponse: refusals of who may ask (401, 403, 421) on any route go to
 *    the rate-limited RefusalLog instead of one synced line each.
 * Refusals that never reached the DriveSession also go to the event log as
 * errors; the session reports the rest itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProblemCode, type Problem } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';
import { actorOf } from './actor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by a handler once it has called into the DriveSession */
    reachedBackend?: boolean;
    /** the id of this action's intent record, once written */
    auditId?: string;
    /** the problem this request was answered with (set by the error handlers) */
    problem?: Problem;
  }
}

/** Statuses that refuse the caller rather than the request: counted and rate-limited, not synced one by one. */
const CALLER_REFUSALS = new Set([401, 403, 421]);

/**
 * The validated inputs of an action: path parameters and body (already bounded by their schemas). A body
 * of bytes (a recording to replay) is recorded by its size, with the query that names it — never its bytes.
 */
export function actionParams(req: FastifyRequest): Record<string, unknown> {
  const body = req.body;
  if (Buffer.isBuffer(body)) return Object.assign({}, req.params, req.query, { bytes: body.length }) as Record<string, unknown>;
  return Object.assign({}, req.params, typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
}

/** preHandler of action routes: no audit, no action. */
export async function writeIntent(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const { ctx } = req.server.vfio;
  const action = req.routeOptions.config.action ?? 'unknown';
  try {
    req.auditId = await ctx.audit.intent({ action, ...who(req), params: actionParams(req) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    ctx.auditWriteFailures++;
    throw new ApiProblem(
      isProblemCode(code) ? code : 'EIO',
      `the audit log cannot record this action (${code}: ${(err as Error).message}); nothing was done`,
      'audit',
      503,
    );
  }
}

export function who(req: FastifyRequest): { tokenId: string | null; role: string | null; remote: string; onBehalfOf?: string } {
  const p = req.principal;
  return {
    tokenId: p?.tokenId ?? null,
    role: p?.role ?? null,
    remote: req.ip,
    // a hub's token: the person the hub acts for (auth/on-behalf-of.ts)
    ...(p?.onBehalfOf !== undefined ? { onBehalfOf: p.onBehalfOf } : {}),
  };
}

function routeLabel(req: FastifyRequest): string {
  return req.is404 ? `${req.method} (no route)` : `${req.method} ${req.routeOptions.url ?? '?'}`;
}

export function registerAuditHook(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const action = req.is404 ? undefined : req.routeOptions.config.action;
    if (!action) return payload;
    const status = reply.statusCode;
    const ok = status < 400;
    const problem = req.problem;
    try {
      if (req.auditId !== undefined) {
        await ctx.audit.result(req.auditId, {
          action,
          ...who(req),
          ok,
          status,
          ...(ok ? { result: parsedResult(payload) } : { errno: problem?.errno ?? 'EINTERNAL', message: problem?.message ?? '' }),
        });
      } else if (!CALLER_REFUSALS.has(status) && status !== 503) {
        await ctx.audit.refused({
          action,
          ...who(req),
          status,
          errno: problem?.errno ?? 'EINTERNAL',
          message: problem?.message ?? '',
          params: actionParams(req),
        });
      }
    } catch (err) {
      // the intent is on record; losing its result must not lose the answer
      ctx.auditWriteFailures++;
      ctx.eventLog.append({
        kind: 'error',
        message: `audit: the result of ${action} (${req.auditId ?? 'no intent'}) could not be written: ${(err as Error).message}`,
        op: action,
        errno: (err as NodeJS.ErrnoException).code ?? 'EIO',
      });
    }
    if (!ok && !req.reachedBackend && !CALLER_REFUSALS.has(status)) {
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

  app.addHook('onResponse', async (req, reply) => {
    if (!CALLER_REFUSALS.has(reply.statusCode)) return;
    ctx.refusals.record({
      remote: req.ip,
      route: routeLabel(req),
      action: req.is404 ? null : (req.routeOptions.config.action ?? null),
      status: reply.statusCode,
      errno: req.problem?.errno ?? String(reply.statusCode),
      message: req.problem?.message ?? '',
      tokenId: req.principal?.tokenId ?? null,
      role: req.principal?.role ?? null,
    });
  });
}

function parsedResult(payload: unknown): unknown {
  if (typeof payload !== 'string') return null;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return null;
  }
}
