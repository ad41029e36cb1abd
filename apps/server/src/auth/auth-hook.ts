/**
 * Authentication and authorization on every request, in onRequest — before
 * the body is read or validated, so an anonymous caller learns nothing about
 * its input. In order: the Host must be one of ours (DNS rebinding), a
 * state-changing request must come from our own origin (CSRF), then the
 * token's role must reach the role declared by the route the request
 * matched (requests that match no route are public: they get a 404 or the
 * UI's index page). The URL's spelling plays no part: `/%61pi/v1/topology`
 * matches the topology route and needs what it needs.
 */
import type { FastifyInstance } from 'fastify';
import { TOKEN_QUERY_PARAM } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { actingFor } from './on-behalf-of.ts';
import { authenticate, queryToken, requireRole, setLoginCookie } from './request-auth.ts';
import { checkCrossSite, checkHost } from './request-origin.ts';

export function registerAuthHook(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req, reply) => {
    checkHost(req, ctx.allowedHosts);
    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    checkCrossSite(req, ctx.allowedOrigins, isUpgrade);
    req.principal = actingFor(req, authenticate(ctx.tokens, req));
    const role = req.is404 ? 'public' : req.routeOptions.config.role;
    if (role === undefined) throw new Error(`route ${req.routeOptions.url ?? '?'} has no role`); // unreachable: requireDeclaredRoles
    if (role !== 'public') {
      requireRole(req, role);
      return;
    }
    // the login URL: a valid ?token= on a public page becomes the session cookie, an invalid one never does
    const q = queryToken(req);
    if (q !== undefined && req.method === 'GET' && ctx.tokens.check(q)) setLoginCookie(reply, q, ctx.tls);
  });
  // the token is not an input of any route: drop it before the query schemas see it
  app.addHook('preValidation', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (q && TOKEN_QUERY_PARAM in q) delete q[TOKEN_QUERY_PARAM];
  });
}
