/**
 * Routes come from the protocol's route table and nowhere else. A route's
 * role and audited action travel in its Fastify config, where the auth and
 * audit hooks read them from the route the request matched. A route without
 * a declared role — one registered by hand or by a plugin — stops the server
 * at startup, so nothing can be reachable by accident.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { EmptyBody, EmptyQuery, type RouteInput, type RouteOutput, type RouteRole, type RouteSpec } from '@vfioscope/protocol';
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

/** The Fastify options a table entry stands for: schemas, role, action, the audit intent. */
export function routeOptions(spec: RouteSpec, override: { role?: RouteRole } = {}): Omit<RouteOptions, 'handler'> {
  const takesBody = spec.method !== 'GET';
  return {
    method: spec.method,
    url: spec.path,
    schema: {
      ...(spec.params ? { params: spec.params } : {}),
      querystring: spec.query ?? EmptyQuery,
      ...(takesBody ? { body: spec.body ?? EmptyBody } : {}),
    },
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

/** Refuse, at registration, any route that does not say who may call it. */
export function requireDeclaredRoles(app: FastifyInstance): void {
  app.addHook('onRoute', (opts) => {
    const role = (opts.config as { role?: unknown } | undefined)?.role;
    if (role !== 'public' && role !== 'viewer' && role !== 'operator') {
      const methods = Array.isArray(opts.method) ? opts.method.join(',') : opts.method;
      throw new Error(
        `route ${methods} ${opts.url} declares no role (public, viewer or operator): every route comes from the protocol's route table`,
      );
    }
  });
}
