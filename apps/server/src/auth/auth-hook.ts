/**
 * Authentication on every request (onRequest, before body parsing and
 * validation, so an anonymous caller learns nothing about its input): the
 * principal is attached to the request, and the route's required role
 * (config.role; viewer when unset) is enforced. Non-API paths (the web UI's
 * files) are public; a valid ?token= on them sets the login cookie.
 */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, TOKEN_QUERY_PARAM } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { authenticate, requireRole, setLoginCookie } from './request-auth.ts';

export function registerAuthHook(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req, reply) => {
    req.principal = authenticate(ctx.tokens, req);
    const role = req.routeOptions.config?.role ?? (isApiPath(req.url) ? 'viewer' : 'public');
    if (role === 'public') {
      const q = (req.query as Record<string, unknown>)[TOKEN_QUERY_PARAM];
      if (!isApiPath(req.url) && req.principal && typeof q === 'string') setLoginCookie(reply, q);
      return;
    }
    requireRole(req, role);
  });
}

function isApiPath(url: string): boolean {
  return url.startsWith(API_PREFIX + '/') || url === API_PREFIX || url.startsWith('/metrics');
}
