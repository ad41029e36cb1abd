/**
 * Whom a hub acts for. A vfioscope hub (serve --peers) forwards an
 * operator's action to a peer with the hub's own token; the peer's audit log
 * must still say which person asked. The hub names them in the
 * x-vfioscope-on-behalf-of header, and this server believes that claim only
 * from a token its tokens file marks as a hub's (`hub:TOKEN`): any other
 * token sending the header is refused outright (403), so a viewer or an
 * ordinary operator can neither pose as someone else nor be silently
 * recorded under a name it made up. The record always keeps the hub's token
 * id too: what it says is "hub X acted, for the person X named".
 */
import type { FastifyRequest } from 'fastify';
import { ON_BEHALF_OF_HEADER } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import type { Principal } from './tokens.ts';

/** Printable ASCII, bounded: it lands in log lines verbatim. */
const ACTOR = /^[\x21-\x7e][\x20-\x7e]{0,127}$/;

/** The principal with the person it acts for, when a hub token names one; throws when another token tries. */
export function actingFor(req: FastifyRequest, principal: Principal | null): Principal | null {
  const raw = req.headers[ON_BEHALF_OF_HEADER];
  if (raw === undefined || principal === null) return principal; // no claim, or no token: the route's role decides
  if (!principal.hub) {
    throw new ApiProblem(
      'EFORBIDDEN',
      `${ON_BEHALF_OF_HEADER} is honoured only from a hub token ("hub:TOKEN" in the tokens file); token ${principal.tokenId} is not one`,
      'authorization',
    );
  }
  if (typeof raw !== 'string' || !ACTOR.test(raw)) {
    throw new ApiProblem(
      'EVALIDATION',
      `${ON_BEHALF_OF_HEADER} must be one line of printable ASCII, at most 128 characters`,
      'authorization',
    );
  }
  return { ...principal, onBehalfOf: raw };
}
