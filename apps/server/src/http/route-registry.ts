/**
 * Routes come from the protocol's route table and nowhere else. A route's
 * role and audited action travel in its Fastify config, where the auth and
 * audit hooks read them from the route the request matched. A route without
 * a declared role — one registered by hand or by a plugin — stops the server
 * at startup, so nothing can be reachable by accident.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { EmptyBody, EmptyQuery, ErrorBody, type RouteInput, type RouteOutput, type RouteRole, type RouteSpec } from '@vfioscope/protocol';
import { writeIntent } from '../audit/audit-hook.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** minimum role; 'public' needs no token */
    role?: RouteRole;
    /** audit name of the action this route performs ("dma.map", "device.reset", …) */
    action?: string;
  }
}

export type RouteHandler<R extends RouteSpec> = (req: FastifyRequest<RouteInput<R>>, reply: FastifyReply) => Promise<RouteOutput<R>>;

/** The role and action a table entry puts in its route's config. */
export function routeConfig(spec: RouteSpec, override: { role?: RouteRole } = {}): { role: RouteRole; action?: string } {
  return { role: override.role ?? spec.role, ...(spec.action !== undefined ? { action: spec.action } : {}) };
}

/**
 * The answers' schemas: the route's own for a 200, ErrorBody for every
 * failure. Fastify serializes JSON answers with them (fast-json-stringify:
 * only declared properties go out, so nothing a handler happens to carry
 * leaks), and @fastify/swagger publishes them. A non-JSON answer (metrics'
 * text) is declared under its media type, which Fastify leaves as it is. The
 * stream answers with an upgrade.
 */
function responseSchema(spec: RouteSpec): Record<string, unknown> {
  const errors = { '4xx': ErrorBody, '5xx': ErrorBody };
  if (spec.websocket) return { 101: { description: 'Switching Protocols: the stream' }, ...errors };
  if (spec.produces !== undefined) return { 200: { content: { [spec.produces]: { schema: spec.response } } }, ...errors };
  return { 200: spec.response, ...errors };
}

/** The schema part of a table entry's Fastify options (the stream's upgrade included). */
export function routeSchema(spec: RouteSpec): FastifySchema {
  // bytes (a recording) are not JSON for a schema to check: their parser and handler judge them (register-replay)
  const takesBody = spec.method !== 'GET' && !spec.websocket && spec.consumes === undefined;
  return {
    summary: spec.summary,
    ...(spec.params ? { params: spec.params } : {}),
    querystring: spec.query ?? EmptyQuery,
    ...(takesBody ? { body: spec.body ?? EmptyBody } : {}),
    response: responseSchema(spec),
  };
}

/** The Fastify options a table entry stands for: schemas, role, action, the audit intent. */
export function routeOptions(spec: RouteSpec, override: { role?: RouteRole } = {}): Omit<RouteOptions, 'handler'> {
  return {
    method: spec.method,
    url: spec.path,
    schema: routeSchema(spec),
    config: routeConfig(spec, override),
    ...(spec.action !== undefined ? { preHandler: writeIntent } : {}),
  };
}

export function registerRoute<R extends RouteSpec>(
  app: FastifyInstance,
  spec: R,
  handler: RouteHandler<R>,
  override: { role?: RouteRole } = {},
): void {
  app.route({ ...routeOptions(spec, override), handler: handler as RouteOptions['handler'] });
}

export interface RegisteredRoute {
  method: string;
  url: string;
  role: RouteRole;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the app registered, HEAD twins included, in order (what the OpenAPI test holds the document to). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

/** Refuse, at registration, any route that does not say who may call it. */
export function requireDeclaredRoles(app: FastifyInstance): void {
  const list: RegisteredRoute[] = [];
  registered.set(app, list);
  app.addHook('onRoute', (opts) => {
    const role = (opts.config as { role?: unknown } | undefined)?.role;
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    if (role !== 'public' && role !== 'viewer' && role !== 'operator') {
      throw new Error(
        `route ${methods.join(',')} ${opts.url} declares no role (public, viewer or operator): every route comes from the protocol's route table`,
      );
    }
    for (const method of methods) list.push({ method: String(method), url: opts.url, role });
  });
}
