/**
 * A route fuzzer for the running server: requests that are malformed or
 * unauthorised by construction — every one breaks at least one rule (no or
 * a wrong token, a foreign Host or Origin, a bad escape, a hostile body, a
 * wrong type, an unknown field, a value the kernel would refuse, a method
 * the route does not have, HTTP that does not parse) — derived from the
 * protocol's route table, sent on raw sockets. Seeded, so a failing case
 * can be replayed. Used by the abuse suite (a few thousand) and by
 * e2e/abuse/fuzz-cli.ts (20 000+, figures in bench/baselines/fuzz-routes.txt).
 */
import { httpRequest, rawRequest, type RawResponse } from './raw-http.ts';
import { sampleRequests, type Samples, type SampleRequest } from '../../apps/server/src/test-support/route-samples.ts';

export interface FuzzTarget {
  port: number;
  operator: string;
  viewer: string;
  samples: Samples;
}

export interface FuzzCase {
  kind: string;
  request: string;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  /** cases answered 5xx, or answered 2xx although malformed, or not in the problem format */
  failures: { kind: string; request: string; status: number; body: string }[];
}

/** mulberry32: small, seeded, good enough to pick mutations */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Values no field of this API accepts (no boolean: `all: true` is a valid unmap; no hex: `data` takes any) */
const JUNK_VALUES: unknown[] = [
  null,
  -1,
  1.5,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  '0x',
  '0xzz',
  '-0x1000',
  '0x1fffffffffffffffff',
  '99999999999999999999999',
  '１２３',
  '\u0000',
  '<script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  'z'.repeat(300),
  [],
  {},
  [[[]]],
  { $gt: '' },
];

const BAD_PATH_BITS = [
  '%',
  '%zz',
  '%C0%AE%C0%AE',
  '%00',
  '%2e%2e%2f%2e%2e',
  '..%2f..%2f',
  '%FF%FE',
  '%E2%82',
  'a'.repeat(5000),
  '%u002e',
  '\\..\\',
];

function authHeaders(t: FuzzTarget, who: 'operator' | 'viewer' | 'none' | 'bad'): Record<string, string> {
  const token = who === 'operator' ? t.operator : who === 'viewer' ? t.viewer : who === 'bad' ? `${t.operator}x` : null;
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

function base(t: FuzzTarget): Record<string, string> {
  return { host: `127.0.0.1:${t.port}` };
}

/** One malformed case for a route. */
function mutate(r: () => number, t: FuzzTarget, s: SampleRequest): FuzzCase {
  const json = { 'content-type': 'application/json' };
  const body = s.payload ? JSON.stringify(s.payload) : undefined;
  const needsAuth = s.spec.role !== 'public';
  const kinds = [
    ...(needsAuth ? ['no-token', 'bad-token', 'token-in-query-on-action'] : []),
    ...(s.spec.role === 'operator'
      ? [
          'viewer-acts',
          'cross-origin',
          'cross-site-fetch',
          'junk-field',
          'junk-body',
          'deep-body',
          'huge-body',
          'wrong-content-type',
          'proto-key',
          'array-body',
          'semantic',
        ]
      : []),
    'foreign-host',
    'bad-escape',
    'wrong-method',
    'junk-query',
  ];
  const kind = pick(r, kinds);
  const op = { ...base(t), ...authHeaders(t, 'operator') };
  switch (kind) {
    case 'no-token':
      return { kind, request: httpRequest(s.method, s.url, { ...base(t), ...(body ? json : {}) }, body) };
    case 'bad-token':
      return { kind, request: httpRequest(s.method, s.url, { ...base(t), ...authHeaders(t, 'bad'), ...(body ? json : {}) }, body) };
    case 'token-in-query-on-action':
      return {
        kind,
        request: httpRequest(
          s.method === 'GET' ? 'POST' : s.method,
          `${s.url}${s.url.includes('?') ? '&' : '?'}token=${t.operator}`,
          { ...base(t), ...json },
          body ?? '{}',
        ),
      };
    case 'viewer-acts':
      return { kind, request: httpRequest(s.method, s.url, { ...base(t), ...authHeaders(t, 'viewer'), ...json }, body ?? '{}') };
    case 'cross-origin':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          {
            ...base(t),
            cookie: `vfioscope_token=${t.operator}`,
            origin: pick(r, ['http://127.0.0.1:1', 'http://evil.example', 'null']),
            ...json,
          },
          body ?? '{}',
        ),
      };
    case 'cross-site-fetch':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          { ...base(t), cookie: `vfioscope_token=${t.operator}`, 'sec-fetch-site': pick(r, ['same-site', 'cross-site']), ...json },
          body ?? '{}',
        ),
      };
    case 'foreign-host':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          { host: pick(r, ['attacker.example', 'evil:80', '127.0.0.2.nip.io', '']), ...authHeaders(t, 'operator'), ...(body ? json : {}) },
          body,
        ),
      };
    case 'bad-escape': {
      const segs = s.url.split('/');
      const i = 1 + Math.floor(r() * (segs.length - 1));
      segs[i] = `${segs[i] ?? ''}${pick(r, BAD_PATH_BITS)}`;
      return { kind, request: httpRequest(s.method, segs.join('/'), { ...op, ...(body ? json : {}) }, body) };
    }
    case 'wrong-method':
      // methods no route of this API has (GET and DELETE share paths with real routes)
      return { kind, request: httpRequest(pick(r, ['PUT', 'PATCH', 'TRACE', 'PROPFIND', 'CONNECT']), s.url, { ...op, ...json }, '{}') };
    case 'junk-query':
      return {
        kind,
        request: httpRequest(
          s.method,
          `${s.url}${s.url.includes('?') ? '&' : '?'}${pick(r, ['limit=-1', 'limit=1e9', 'offset=x', 'zzz=1', 'limit=1&limit=2', 'sort=%00', `text=${'a'.repeat(300)}`, 'sinceSeq=0x10'])}`,
          { ...op, ...(body ? json : {}) },
          body,
        ),
      };
    case 'junk-field': {
      const obj: Record<string, unknown> = { ...(s.payload ?? {}) };
      const keys = Object.keys(obj);
      if (keys.length > 0 && r() < 0.7) obj[pick(r, keys)] = pick(r, JUNK_VALUES);
      else obj[`x${Math.floor(r() * 1000)}`] = pick(r, JUNK_VALUES);
      return { kind, request: httpRequest(s.method, s.url, { ...op, ...json }, JSON.stringify(obj)) };
    }
    case 'junk-body':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          { ...op, ...json },
          pick(r, [
            '{',
            '}',
            '{"a":',
            'nul',
            '"str"',
            '12',
            '{"iova":"0x1000",}',
            '\u0000\u0001',
            '{"a":1}{"b":2}',
            `[${'1,'.repeat(100)}]`,
          ]),
        ),
      };
    case 'deep-body': {
      const n = 9 + Math.floor(r() * 20_000);
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          { ...op, ...json },
          pick(r, ['[', '{"a":'] as const).repeat(n) + (r() < 0.5 ? ']'.repeat(n) : ''),
        ),
      };
    }
    case 'huge-body':
      return {
        kind,
        request: httpRequest(s.method, s.url, { ...op, ...json }, `{"data":"${'0'.repeat(70_000 + Math.floor(r() * 50_000))}"}`),
      };
    case 'wrong-content-type':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          {
            ...op,
            'content-type': pick(r, [
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/xml',
            ]),
          },
          body ?? 'a=1',
        ),
      };
    case 'proto-key':
      return {
        kind,
        request: httpRequest(
          s.method,
          s.url,
          { ...op, ...json },
          pick(r, ['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', `{"a":1,"__proto__":{"isAdmin":true}}`]),
        ),
      };
    case 'array-body':
      return { kind, request: httpRequest(s.method, s.url, { ...op, ...json }, JSON.stringify([s.payload ?? {}])) };
    default: {
      // well-formed but refused by the kernel's rules or the server's: unaligned, wrapping, absent
      const bad: Record<string, string> = {
        group: pick(r, ['999999', '123456']),
        bdf: pick(r, ['0000:ff:1f.7', 'ffff:00:00.0']),
        index: pick(r, ['9', '99']),
        id: pick(r, ['999', '0']),
      };
      const url = s.spec.path.replace(/:([a-z]+)/g, (_, n: string) => encodeURIComponent(bad[n] ?? 'x'));
      const semantic =
        s.name === 'map'
          ? JSON.stringify(
              pick(r, [
                { iova: '0x1001', size: '0x1000', flags: ['read'] },
                { iova: '0xfffffffffffff000', size: '0x2000', flags: ['read'] },
                { iova: '0x0', size: '0x0', flags: ['read'] },
              ]),
            )
          : (UNPARAMETERISED_WRONG[s.name] ?? body ?? '{}');
      return { kind: 'semantic', request: httpRequest(s.method, s.name === 'map' ? s.url : url, { ...op, ...json }, semantic) };
    }
  }
}

/**
 * Actions with no path parameter and every body field optional: `{}` is a valid request (a recording starts or
 * stops), so their wrong form is a field out of its range or one they do not take.
 */
const UNPARAMETERISED_WRONG: Partial<Record<string, string>> = {
  recordingStart: '{"keyframeEveryMs":1}',
  recordingStop: '{"now":true}',
};

/** Garbage that is not HTTP at all, or HTTP the parser must refuse. */
const GARBAGE = [
  'GET\r\n\r\n',
  'HELLO / HTTP/1.1\r\n\r\n',
  'GET / HTTP/9.9\r\nhost: x\r\n\r\n',
  '\u0000\u0001\u0002\r\n\r\n',
  'POST /api/v1/groups/3/close HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello',
  'POST /api/v1/groups/3/close HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n0\r\n\r\n',
  `GET /api/v1/topology HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
];

export function fuzzCases(seed: number, count: number, t: FuzzTarget): FuzzCase[] {
  const r = rng(seed);
  const reqs = sampleRequests(t.samples);
  const out: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    if (r() < 0.03) out.push({ kind: 'garbage', request: pick(r, GARBAGE).replace('127.0.0.1', `127.0.0.1:${t.port}`) });
    else if (r() < 0.05) {
      const s = pick(
        r,
        reqs.filter((x) => x.spec.role !== 'public'),
      );
      out.push({
        kind: 'absolute-form',
        request: httpRequest(
          s.method,
          `http://${pick(r, ['x', `127.0.0.1:${t.port}`])}${s.url.replace('/api/', pick(r, ['/api/', '/%61pi/']))}`,
          { host: pick(r, ['x', `127.0.0.1:${t.port}`]) },
          s.payload ? JSON.stringify(s.payload) : undefined,
        ),
      });
    } else out.push(mutate(r, t, pick(r, reqs)));
  }
  return out;
}

/** A malformed case must be refused: 4xx (or a socket the parser closed), never 2xx/3xx/5xx, and JSON errors in the problem format. */
function judge(c: FuzzCase, res: RawResponse): string | null {
  if (res.status >= 500) return '5xx';
  if (res.status === 0) return c.kind === 'garbage' ? null : 'no answer';
  if (res.status < 400) return 'not refused';
  if (res.body !== '' && !/^\{"error":\{"errno":"[A-Z0-9_]+","message":/.test(res.body)) return 'not the problem format';
  return null;
}

export async function runFuzz(t: FuzzTarget, cases: FuzzCase[], concurrency = 16): Promise<FuzzReport> {
  const report: FuzzReport = { sent: 0, byStatus: {}, byKind: {}, failures: [] };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const c = cases[next++];
      if (!c) return;
      const res = await rawRequest(t.port, c.request);
      report.sent++;
      report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
      report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
      const why = judge(c, res);
      if (why && report.failures.length < 50)
        report.failures.push({
          kind: `${c.kind}: ${why}`,
          request: c.request.slice(0, 300),
          status: res.status,
          body: res.body.slice(0, 300),
        });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}

/** What the kernel holds for vfioscope, through the API: malformed requests must not move it. */
export async function heldState(base: string, token: string, container: string, bdf: string): Promise<string> {
  const get = async (p: string) => (await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } })).text();
  return JSON.stringify([
    await get('/api/v1/topology'),
    await get('/api/v1/containers'),
    await get(`/api/v1/containers/${container}/mappings?limit=1000`),
    (JSON.parse(await get(`/api/v1/devices/${bdf}`)) as { state: unknown }).state,
  ]);
}

export interface AuditCheck {
  intents: number;
  results: number;
  refused: number;
  summaries: number;
  /** intents with no result: an action whose outcome is not on record */
  unanswered: string[];
  /** results that say an action succeeded */
  succeeded: number;
}

/** Pair intents with results in audit.log lines (JSON text, one per line). */
export function checkAudit(lines: readonly string[]): AuditCheck {
  const recs = lines.filter(Boolean).map((l) => JSON.parse(l) as { phase: string; id?: string; ok?: boolean });
  const results = new Set(recs.filter((r) => r.phase === 'result').map((r) => r.id));
  const intents = recs.filter((r) => r.phase === 'intent');
  return {
    intents: intents.length,
    results: results.size,
    refused: recs.filter((r) => r.phase === 'refused').length,
    summaries: recs.filter((r) => r.phase === 'refusals').length,
    unanswered: intents.map((r) => r.id ?? '?').filter((id) => !results.has(id)),
    succeeded: recs.filter((r) => r.phase === 'result' && r.ok === true).length,
  };
}
