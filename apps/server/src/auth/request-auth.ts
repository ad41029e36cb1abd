/**
 * Who is asking: the token from `Authorization: Bearer`, the `?token=` query
 * parameter (login URL, WebSocket) or the login cookie, checked against the
 * TokenStore. Reads need a viewer or operator; actions need an operator.
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

export function presentedToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m ? m[1]! : null;
  }
  const q = (req.query as Record<string, unknown> | undefined)?.[TOKEN_QUERY_PARAM];
  if (typeof q === 'string' && q) return q;
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
  if (!p) throw new ApiProblem('EAUTH', 'a valid token is required (Authorization: Bearer TOKEN)', 'authorization');
  if (RANK[p.role] < RANK[role]) {
    throw new ApiProblem('EFORBIDDEN', `this needs the ${role} role; token ${p.tokenId} is a ${p.role}`, 'authorization');
  }
  return p;
}

/** The login cookie, so a browser page keeps working after the first load with ?token=. */
export function setLoginCookie(reply: FastifyReply, token: string): void {
  void reply.header(
    'set-cookie',
    `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
  );
}
