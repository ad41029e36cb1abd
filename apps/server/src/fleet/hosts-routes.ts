/**
 * GET /api/v1/hosts and every route per host, `/api/v1/hosts/<name>/…`.
 *
 * A per-host request is checked on this server first: the caller needs the
 * role of the inner route it stands for (inner-route.ts: viewer to read,
 * operator to act; an unknown path is a 404 here, never forwarded). This
 * server's own name serves locally — the request is run again on this
 * server at the inner route's path, with the caller's own credentials, so
 * it is authorized and audited as if asked directly. A peer's is forwarded
 * with the hub's token for that peer (never the caller's, never shown to
 * anyone), at the path rebuilt from the table, and the peer's answer —
 * status, JSON body, problem — is relayed as it is.
 *
 * An action on a peer is audited here, write-ahead like any action (intent
 * with the caller, the action, the host and its parameters, then the
 * result), and named to the peer in x-vfioscope-on-behalf-of so the peer's
 * own audit log records it as the hub's token acting for that person.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HOST_MIRROR_PATH, isProblemCode, ON_BEHALF_OF_HEADER, routes, TOKEN_QUERY_PARAM } from '@vfioscope/protocol';
import { actorOf } from '../audit/actor.ts';
import { who } from '../audit/audit-hook.ts';
import { requireRole } from '../auth/request-auth.ts';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';
import { registerRoute } from '../http/route-registry.ts';
import type { Fleet, Peer } from './fleet.ts';
import { matchInnerRoute, splitHostUrl, type InnerRoute } from './inner-route.ts';
import { PeerRequestError, type PeerAnswer } from './peer-http.ts';

interface Target {
  host: string;
  inner: InnerRoute;
  query: URLSearchParams;
  /** null: this server's own host */
  peer: Peer | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** a per-host request's host and inner route, resolved in its onRequest */
    fleetTarget?: Target;
  }
}

/** Headers of the caller's that a local per-host request keeps: who it is and where it comes from, nothing else. */
const LOCAL_HEADERS = ['authorization', 'cookie', 'host', 'origin', 'sec-fetch-site', 'content-type', ON_BEHALF_OF_HEADER];

export function registerHostsRoutes(app: FastifyInstance, ctx: ServerContext, fleet: Fleet): void {
  registerRoute(app, routes.hosts, async () => ({ hosts: await fleet.summaries() }));

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: HOST_MIRROR_PATH,
    // the least any per-host request needs; the inner route's own role is required in onRequest below
    config: { role: 'viewer' },
    onRequest: async (req) => {
      const split = splitHostUrl(req.raw.url ?? '');
      const inner = split && matchInnerRoute(req.method, split.segments);
      if (!split || !inner) throw new ApiProblem('ENOTFOUND', `no route ${req.method} ${req.url.split('?')[0]?.slice(0, 200) ?? ''}`);
      const peer = split.host === fleet.name ? null : fleet.peers.get(split.host);
      if (peer === undefined) throw new ApiProblem('ENOTFOUND', `no host "${split.host}" in this server's fleet`, 'host');
      requireRole(req, inner.spec.role === 'operator' ? 'operator' : 'viewer');
      req.fleetTarget = { host: split.host, inner, query: split.query, peer };
    },
    handler: async (req, reply) => {
      const target = req.fleetTarget!;
      if (target.peer === null) return serveLocally(app, req, reply, target);
      if (target.inner.spec.action === undefined) return relay(reply, await forward(fleet, req, target, target.peer));
      return forwardAction(fleet, ctx, req, reply, target, target.peer);
    },
  });
}

async function serveLocally(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, target: Target): Promise<FastifyReply> {
  const headers: Record<string, string> = {};
  for (const h of LOCAL_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const query = target.query.toString();
  const res = await app.inject({
    method: req.method as 'GET' | 'POST' | 'DELETE',
    url: target.inner.path + (query ? `?${query}` : ''),
    headers,
    remoteAddress: req.ip,
    ...(req.method !== 'GET'
      ? { payload: JSON.stringify(req.body ?? {}), headers: { ...headers, 'content-type': 'application/json' } }
      : {}),
  });
  return relay(reply, { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.rawPayload });
}

async function forward(
  fleet: Fleet,
  req: FastifyRequest,
  target: Target,
  peer: Peer,
  extra: Record<string, string> = {},
): Promise<PeerAnswer> {
  const query = new URLSearchParams(target.query);
  query.delete(TOKEN_QUERY_PARAM); // the caller's token for this server is not the peer's business
  const qs = query.toString();
  const answer = await peer.gate
    .run(() =>
      peer.transport.request({
        method: target.inner.spec.method,
        path: target.inner.path + (qs ? `?${qs}` : ''),
        headers: { accept: 'application/json', ...extra },
        ...(req.method !== 'GET' ? { body: JSON.stringify(req.body ?? {}) } : {}),
        timeoutMs: fleet.requestTimeoutMs,
      }),
    )
    .catch((err: unknown) => {
      if (!(err instanceof PeerRequestError)) throw err;
      const timeout = err.code === 'ETIMEDOUT';
      throw new ApiProblem(timeout ? 'ETIMEDOUT' : 'EIO', `host ${target.host}: ${err.message}`, 'host', timeout ? 504 : 502);
    });
  if (answer === null) {
    throw new ApiProblem('EBUSY', `host ${target.host} already has its fill of requests in flight and waiting; try again`, 'host', 503);
  }
  return answer.value;
}

async function forwardAction(
  fleet: Fleet,
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  target: Target,
  peer: Peer,
): Promise<FastifyReply> {
  const action = target.inner.spec.action!;
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {};
  const params = { ...target.inner.params, ...body };
  const by = who(req);
  let id: string;
  try {
    id = await ctx.audit.intent({ action, ...by, host: target.host, params });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    ctx.auditWriteFailures++;
    throw new ApiProblem(
      isProblemCode(code) ? code : 'EIO',
      `the audit log cannot record this action (${code}: ${(err as Error).message}); nothing was sent to ${target.host}`,
      'audit',
      503,
    );
  }
  const actor = actorOf(req);
  let outcome: { ok: boolean; status: number; result?: unknown; errno?: string; message?: string };
  try {
    const answer = await forward(fleet, req, target, peer, { [ON_BEHALF_OF_HEADER]: actor });
    const parsed = parseJson(answer.body);
    const problem = (parsed as { error?: { errno?: unknown; message?: unknown } } | null)?.error;
    outcome =
      answer.status < 400
        ? { ok: true, status: answer.status, result: parsed }
        : { ok: false, status: answer.status, errno: String(problem?.errno ?? answer.status), message: String(problem?.message ?? '') };
    await recordResult(ctx, id, action, by, target.host, outcome);
    ctx.eventLog.append({
      kind: outcome.ok ? 'action' : 'error',
      op: action,
      actor,
      data: { host: target.host, params },
      message: `${action} on ${target.host}: ${outcome.ok ? 'done' : `${outcome.errno} ${outcome.message ?? ''}`.trim()}`,
    });
    return relay(reply, answer);
  } catch (err) {
    const p = err instanceof ApiProblem ? err : new ApiProblem('EINTERNAL', (err as Error).message);
    await recordResult(ctx, id, action, by, target.host, { ok: false, status: p.status ?? 502, errno: p.errno, message: p.message });
    throw p;
  }
}

async function recordResult(
  ctx: ServerContext,
  id: string,
  action: string,
  by: ReturnType<typeof who>,
  host: string,
  outcome: { ok: boolean; status: number; result?: unknown; errno?: string; message?: string },
): Promise<void> {
  try {
    await ctx.audit.result(id, { action, ...by, host, ...outcome });
  } catch (err) {
    // the intent is on record; losing its result must not lose the answer
    ctx.auditWriteFailures++;
    ctx.eventLog.append({
      kind: 'error',
      message: `audit: the result of ${action} on ${host} (${id}) could not be written: ${(err as Error).message}`,
    });
  }
}

/** The peer's answer as it came: status, JSON (or the metrics' text, a recording's gzip) and nothing of its other headers (no cookies). */
function relay(reply: FastifyReply, answer: PeerAnswer): FastifyReply {
  const ct = answer.contentType;
  const type = ct !== undefined && (ct.startsWith('text/plain') || ct === 'application/gzip') ? ct : 'application/json; charset=utf-8';
  return reply.status(answer.status).type(type).send(answer.body);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
