/**
 * A typed client generated from the route table: `api.call('map', { params:
 * { id: 3 }, body })` builds the request from the route's method and path,
 * takes exactly the params, query and body the route's schemas declare, and
 * resolves with the route's response type — checked against its response
 * schema, so nothing the caller reads was only assumed. How the request
 * travels (fetch, headers, the token, error bodies) is the transport's job.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { hostApiPath } from './rest/hosts.ts';
import { type HttpMethod, type RouteName, type RouteOutput, type RouteSpec, type Routes, routePath, routes } from './routes.ts';

/** A path parameter is a string on the wire; a number stands for its decimal. */
type PathParams<S> = { [K in keyof S]: S[K] extends string ? S[K] | number : S[K] };

/** An input nothing is required of (`{}`, which biome rightly flags elsewhere). */
type NothingRequired = Record<never, never>;

/** One input slot: required when its schema requires something, optional when all of it is optional, absent when undeclared. */
type Slot<K extends string, S, V = S extends TSchema ? Static<S> : never> = [S] extends [TSchema]
  ? NothingRequired extends V
    ? { [P in K]?: V }
    : { [P in K]: V }
  : { [P in K]?: never };

/** What a call of route R takes. */
export type CallInput<R extends RouteSpec> = Slot<
  'params',
  R['params'],
  R['params'] extends TSchema ? PathParams<Static<R['params']>> : never
> &
  Slot<'query', R['query']> &
  Slot<'body', R['body']>;

/** The input may be left out when nothing in it is required. */
export type CallArgs<R extends RouteSpec> = NothingRequired extends CallInput<R> ? [input?: CallInput<R>] : [input: CallInput<R>];

export interface ApiRequest {
  route: RouteName;
  method: HttpMethod;
  /** the path with its parameters filled in and the query appended */
  url: string;
  /** the JSON body of a POST/DELETE ({} when the route takes none), or the bytes of a `consumes` route's; absent for GET */
  body?: unknown;
  /** the media type of a body that is not JSON (the transport then sends it as it is) */
  consumes?: string;
  /** the media type of a non-JSON answer (the transport then resolves with its text) */
  produces?: string;
}

export interface ApiTransport {
  /** Performs the request: resolves with the parsed JSON of a 2xx answer, rejects with the transport's own error otherwise. */
  send(req: ApiRequest): Promise<unknown>;
  /** The error to throw when a 2xx answer does not match the route's response schema. */
  mismatch(req: ApiRequest, message: string): Error;
}

export interface ApiClient {
  call<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<RouteOutput<Routes[N]>>;
}

/** The request a call stands for: method, URL (path params encoded, query appended) and body. */
export function apiRequest(name: RouteName, input: { params?: unknown; query?: unknown; body?: unknown } = {}): ApiRequest {
  const spec: RouteSpec = routes[name];
  const params: Record<string, string | number> = {};
  for (const [k, v] of fields(input.params)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  let url = routePath(spec, params);
  const query = new URLSearchParams();
  for (const [k, v] of fields(input.query)) if (v !== undefined) query.set(k, String(v));
  if (query.size > 0) url += `?${query}`;
  return {
    route: name,
    method: spec.method,
    url,
    ...(spec.method !== 'GET' ? { body: input.body ?? {} } : {}),
    ...(spec.produces !== undefined ? { produces: spec.produces } : {}),
    ...(spec.consumes !== undefined ? { consumes: spec.consumes } : {}),
  };
}

function fields(x: unknown): [string, unknown][] {
  return typeof x === 'object' && x !== null ? Object.entries(x) : [];
}

/** The route's answer as its type, or the path of the first field that breaks its schema. */
function checked<N extends RouteName>(
  name: N,
  value: unknown,
): { ok: true; value: RouteOutput<Routes[N]> } | { ok: false; message: string } {
  const schema: Routes[N]['response'] = routes[name].response;
  if (Value.Check(schema, value)) return { ok: true, value };
  const first = Value.Errors(schema, value).First();
  return {
    ok: false,
    message: `the answer of ${name} does not match the protocol at ${first?.path || '/'}: ${first?.message ?? 'unknown'}`,
  };
}

/**
 * `host`: a host of the fleet this server fronts (serve --peers): every call
 * goes to that host's copy of the route, `/api/v1/hosts/<host>/…`. Without
 * it, calls are this server's own.
 */
export function createApiClient(transport: ApiTransport, host?: string): ApiClient {
  return {
    async call<N extends RouteName>(name: N, ...[input]: CallArgs<Routes[N]>): Promise<RouteOutput<Routes[N]>> {
      const own = apiRequest(name, input);
      const req = host === undefined ? own : { ...own, url: hostApiPath(host, own.url) };
      const answer = checked(name, await transport.send(req));
      if (!answer.ok) throw transport.mismatch(req, answer.message);
      return answer.value;
    },
  };
}
