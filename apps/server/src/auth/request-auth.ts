/**
 * Who is asking: the token from `Authorization: Bearer`, the `?token=` query
 * parameter or the login cookie, checked against the TokenStore. Reads need
 * a viewer or operator; actions need an operator.
 *
 * The one rule for `?token=`: it is accepted on every GET — the login URL,
 * a browser link to any read route, a Prometheus scrape, the WebSocket
 * handshake — and refused on everything else, because an action's URL ends
 * up in logs and histories while its token must not.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_COOKIE, TOKEN_QUERY_PARAM, type Role } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import type { Principal, TokenStore } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The `?token=` value, if the URL carries one. */
export function queryToken(req: FastifyRequest): string | undefined {
  const q = (req.query as Record<string, unknown> | undefined)?.[TOKEN_QUERY_PARAM];
  return typeof q === 'string' ? q : Array.isArray(q) ? String(q[0]) : undefined;
}

export function presentedToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m?.[1] ?? null;
  }
  const q = queryToken(req);
  if (q !== undefined) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiProblem(
        'EVALIDATION',
        '?token= is accepted on GET requests only; send actions with Authorization: Bearer TOKEN',
        'token',
      );
    }
    if (q) return q;
  }
  return cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function authenticate(tokens: TokenStore, req: FastifyRequest): Principal | null {
  return tokens.check(presentedToken(req));
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2 };

/** Throw EAUTH (401) without a valid token, EFORBIDDEN (403) when the role is too low. */
export function requireRole(req: FastifyRequest, role: Role): Principal {
  const p = req.principal;
  if (!p) throw new ApiProblem('EAUTH', 'a valid token is required (Authorization: Bearer TOKEN, or ?token= on a GET)', 'authorization');
  if (RANK[p.role] < RANK[role]) {
    throw new ApiProblem('EFORBIDDEN', `this needs the ${role} role; token ${p.tokenId} is a ${p.role}`, 'authorization');
  }
  return p;
}

/** The login cookie, so a browser page keeps working after the first load with ?token=. */
export function setLoginCookie(reply: FastifyReply, token: string, secure: boolean): void {
  void reply.header(
    'set-cookie',
    `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
  );
}
