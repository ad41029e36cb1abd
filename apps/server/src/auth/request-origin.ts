/**
 * Where a request says it comes from, checked before anything else.
 *
 * Host: a page on attacker.example whose name is rebound to 127.0.0.1 (DNS
 * rebinding) reaches this server with `Host: attacker.example`; only the
 * names the server is known by are answered (the listen address, localhost,
 * and names given with --allowed-host), others get 421.
 *
 * Origin: browsers attach the login cookie to requests from other origins
 * (another port on 127.0.0.1 is "same-site", so SameSite=Strict does not
 * stop it). Every request that can change state — any method but GET/HEAD,
 * and the WebSocket upgrade — must come from this server's own origin or an
 * allow-listed one: an `Origin` header naming another origin, or
 * `Sec-Fetch-Site` saying the request is cross-origin, is refused with 403.
 * Non-browser clients send neither and must present a token anyway.
 */
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from '../errors.ts';

/** The hostname part of a Host header: "[::1]:7070" → "::1", "Example.COM:80" → "example.com". */
export function hostnameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1] ?? null;
  const m = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1] ?? null;
}

export class AllowedHosts {
  private readonly names: ReadonlySet<string>;

  /** listen: the address the server listens on; extra: --allowed-host names */
  constructor(listen: string | null, extra: readonly string[]) {
    const names = new Set(['localhost', '127.0.0.1', '::1']);
    if (listen && listen !== '0.0.0.0' && listen !== '::') names.add(listen.toLowerCase());
    for (const n of extra) names.add(n.toLowerCase());
    this.names = names;
  }

  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const name = hostnameOf(hostHeader);
    return name !== null && this.names.has(name);
  }

  list(): string[] {
    return [...this.names];
  }
}

export function checkHost(req: FastifyRequest, hosts: AllowedHosts): void {
  if (!hosts.allows(req.headers.host)) {
    throw new ApiProblem(
      'EMISDIRECTED',
      `Host "${String(req.headers.host ?? '')}" is not a name of this server (${hosts.list().join(', ')}); add it with --allowed-host`,
      'host',
    );
  }
}

/** An Origin is ours when its host equals the request's Host, or it is on the allow-list. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowList.includes('*') || allowList.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (hostHeader === undefined) return false;
  // compare as URLs of the Origin's scheme, so a default port written out ("localhost:80") still matches
  try {
    return new URL(`${url.protocol}//${hostHeader}`).host === url.host;
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sec-Fetch-Site values of requests the user's own page (or the user) made */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

/** A request that can change state must come from our own origin (or an allow-listed one). */
export function checkCrossSite(req: FastifyRequest, allowList: readonly string[], isUpgrade: boolean): void {
  if (SAFE_METHODS.has(req.method) && !isUpgrade) return;
  const origin = req.headers.origin;
  if (!originAllowed(origin, req.headers.host, allowList)) {
    throw new ApiProblem('EFORBIDDEN', `Origin ${origin} is not this server's origin; cross-site requests are refused`, 'origin');
  }
  const site = req.headers['sec-fetch-site'];
  if (
    typeof site === 'string' &&
    !OWN_FETCH_SITES.has(site) &&
    !(origin !== undefined && allowList.some((a) => a === '*' || a === origin))
  ) {
    throw new ApiProblem('EFORBIDDEN', `a ${site} request (Sec-Fetch-Site) may not act on this server`, 'origin');
  }
}
