/**
 * Who a DriveSession action is done for. Routes run their backend calls
 * inside asActor(), so the session's events — emitted deep inside the call —
 * land in the event log with the token that asked for them, even when
 * several requests interleave.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

const store = new AsyncLocalStorage<string>();

/** "alice (operator)"; a hub's token acting for someone: "fleet (operator) for alice (operator)" */
export function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  if (!p) return 'anonymous';
  return `${p.tokenId} (${p.role})${p.onBehalfOf !== undefined ? ` for ${p.onBehalfOf}` : ''}`;
}

/** Run a backend call for the request's principal; marks the request as having reached the backend. */
export function asActor<T>(req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
  req.reachedBackend = true;
  return store.run(actorOf(req), fn);
}

export function currentActor(): string | undefined {
  return store.getStore();
}
