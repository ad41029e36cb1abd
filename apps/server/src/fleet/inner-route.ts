/**
 * Which route of the table a per-host URL (`/api/v1/hosts/<name>/…`) stands
 * for. Authorization on a hub is decided by that inner route's role, and the
 * request forwarded to the peer is rebuilt from the same table entry and its
 * parameters (routePath) — so what the hub checked is, by construction, what
 * the peer is asked, whatever way the URL was spelled (percent-encoding,
 * doubled slashes). A path that is no route of the table is nothing to
 * forward: 404 on the hub.
 */
import { API_PREFIX, HOSTS_PATH, routeEntries, routePath, type RouteName, type RouteSpec } from '@vfioscope/protocol';

export interface InnerRoute {
  name: RouteName;
  spec: RouteSpec;
  params: Record<string, string>;
  /** the route's own path with the parameters filled in, e.g. "/api/v1/devices/0000%3A00%3A03.0/reset" */
  path: string;
}

interface Candidate {
  name: RouteName;
  spec: RouteSpec;
  segments: string[];
}

/** The routes served per host: HTTP routes under the API prefix, but not the stream (relayed by topic) nor the hosts routes themselves. */
const CANDIDATES: Candidate[] = routeEntries()
  .filter(([, spec]) => !spec.websocket && spec.path.startsWith(`${API_PREFIX}/`) && !spec.path.startsWith(HOSTS_PATH))
  .map(([name, spec]) => ({ name, spec, segments: spec.path.slice(API_PREFIX.length + 1).split('/') }));

/**
 * A raw request URL split at the host: its name, the inner path's segments
 * (each percent-decoded, empty ones — doubled or trailing slashes — dropped,
 * as the router drops them) and the query. null when it is not a per-host
 * URL or a segment does not decode.
 */
export function splitHostUrl(rawUrl: string): { host: string; segments: string[]; query: URLSearchParams } | null {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '') continue;
    try {
      segments.push(decodeURIComponent(s));
    } catch {
      return null;
    }
  }
  const prefix = HOSTS_PATH.split('/').filter(Boolean);
  if (segments.length <= prefix.length || prefix.some((p, i) => segments[i] !== p)) return null;
  return {
    host: segments[prefix.length]!,
    segments: segments.slice(prefix.length + 1),
    query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
  };
}

/** The table route a method and inner path match; a route with more literal segments wins over one with parameters there. */
export function matchInnerRoute(method: string, segments: readonly string[]): InnerRoute | null {
  let best: { c: Candidate; params: Record<string, string>; literals: number } | null = null;
  for (const c of CANDIDATES) {
    if (c.spec.method !== method || c.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const ok = c.segments.every((pattern, i) => {
      const seg = segments[i]!;
      if (pattern.startsWith(':')) {
        params[pattern.slice(1)] = seg;
        return true;
      }
      literals++;
      return pattern === seg;
    });
    if (ok && (best === null || literals > best.literals)) best = { c, params, literals };
  }
  if (!best) return null;
  return { name: best.c.name, spec: best.c.spec, params: best.params, path: routePath(best.c.spec, best.params) };
}
