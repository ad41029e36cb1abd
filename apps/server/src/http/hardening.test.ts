/**
 * The server's edges, each class of hole closed for every route it could
 * touch: Host names (DNS rebinding), cross-site actions (CSRF), the token
 * rule for URLs, hostile bodies, security headers, and one error format for
 * everything Fastify or the router would otherwise answer in its own words.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routes } from '@vfioscope/protocol';
import { makeFixture, OPERATOR, VIEWER, type Fixture } from '../test-support/app-fixture.ts';
import { sampleRequests, type SampleRequest } from '../test-support/route-samples.ts';
import { CONTENT_SECURITY_POLICY } from './security-headers.ts';

let f: Fixture;
let requests: SampleRequest[];
beforeEach(async () => {
  f = await makeFixture('edu');
  const container = String((await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container);
  requests = sampleRequests({ group: '3', bdf: '0000:00:03.0', index: '0', id: container });
});
afterEach(async () => {
  await f.close();
});

const actions = () => requests.filter((r) => r.spec.action !== undefined);

function spyBackend() {
  const session = f.app.vfio.ctx.session;
  return [
    ...(['openGroup', 'closeGroup', 'setIrqs', 'reset', 'regionRead', 'regionWrite', 'mapDma', 'unmapDma'] as const).map((m) =>
      vi.spyOn(session, m),
    ),
    vi.spyOn(f.host, 'bindDriver'),
  ];
}

describe('Host header (DNS rebinding)', () => {
  it('answers only the names the server is known by, on every route, before auth', async () => {
    for (const r of requests) {
      const res = await f.req({
        method: r.method,
        url: r.url,
        headers: { host: 'attacker.example:7070' },
        ...(r.payload ? { payload: r.payload } : {}),
      });
      expect(res.statusCode, r.url).toBe(421);
      expect(res.json().error).toMatchObject({ errno: 'EMISDIRECTED', field: 'host' });
    }
    for (const host of ['localhost:7070', '127.0.0.1:7070', '[::1]:7070', 'LOCALHOST']) {
      expect((await f.req({ method: 'GET', url: '/api/v1/whoami', headers: { host } })).statusCode, host).toBe(200);
    }
  });

  it('takes further names from --allowed-host and the listen address', async () => {
    await f.close();
    f = await makeFixture('edu', { listenHost: '10.1.2.3', allowedHosts: ['vfio-07.lab'] });
    for (const host of ['10.1.2.3:7070', 'vfio-07.lab:7070', 'localhost']) {
      expect((await f.req({ method: 'GET', url: '/api/v1/health', headers: { host } })).statusCode, host).toBe(200);
    }
    expect((await f.req({ method: 'GET', url: '/api/v1/health', headers: { host: 'vfio-08.lab' } })).statusCode).toBe(421);
  });
});

describe('cross-site requests', () => {
  it('refuses every action from another origin with the login cookie, body or not, before anything runs', async () => {
    const spies = spyBackend();
    for (const r of actions()) {
      for (const headers of [
        { origin: 'http://127.0.0.1:7071' },
        { origin: 'http://evil.example' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'null' },
      ]) {
        const res = await f.app.inject({
          method: r.method,
          url: r.url,
          headers: { ...headers, cookie: `vfioscope_token=${OPERATOR}` },
          ...(r.payload ? { payload: r.payload } : {}),
        });
        expect(res.statusCode, `${r.url} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.json().error).toMatchObject({ errno: 'EFORBIDDEN', field: 'origin' });
      }
    }
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    // the page's own origin may act with its cookie
    const own = await f.app.inject({
      method: 'POST',
      url: '/api/v1/groups/4/open',
      headers: {
        origin: 'http://localhost:80',
        host: 'localhost:80',
        'sec-fetch-site': 'same-origin',
        cookie: `vfioscope_token=${OPERATOR}`,
      },
    });
    expect(own.statusCode, own.body).toBe(200);
  });

  it('lets reads through from anywhere the browser allows (CORS keeps their answers from foreign pages)', async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: '/api/v1/topology',
      headers: { origin: 'http://evil.example', cookie: `vfioscope_token=${VIEWER}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('tokens in URLs', () => {
  it('?token= works on every GET route as the header does, and is refused with one message on every action', async () => {
    const spies = spyBackend();
    for (const r of requests) {
      const sep = r.url.includes('?') ? '&' : '?';
      const res = await f.app.inject({
        method: r.method,
        url: `${r.url}${sep}token=${OPERATOR}`,
        ...(r.payload ? { payload: r.payload } : {}),
      });
      if (r.method === 'GET') {
        const withHeader = await f.req({ method: 'GET', url: r.url });
        expect([200, 404], r.url).toContain(withHeader.statusCode); // irqs/history of an unsampled key is a 404 either way
        expect(res.statusCode, `${r.url}: ${res.body.slice(0, 200)}`).toBe(withHeader.statusCode);
      } else {
        expect(res.statusCode, r.url).toBe(400);
        expect(res.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'token' });
        expect(res.json().error.message).toContain('GET requests only');
      }
    }
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  });

  it('sets the login cookie only for a valid token', async () => {
    const bad = await f.app.inject({ method: 'GET', url: '/?token=not-a-token-at-all', headers: { cookie: `vfioscope_token=${VIEWER}` } });
    expect(bad.headers['set-cookie']).toBeUndefined();
    const good = await f.app.inject({ method: 'GET', url: `/?token=${VIEWER}` });
    expect(String(good.headers['set-cookie'])).toMatch(/^vfioscope_token=viewer-token-for-tests; Path=\/; HttpOnly; SameSite=Strict$/);
  });
});

describe('bodies', () => {
  const deep = '['.repeat(3000) + ']'.repeat(3000);
  const hostile: [string, string, string][] = [
    ['deeply nested', deep, 'nests deeper'],
    ['a nested object', '{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}', 'nests deeper'],
    ['malformed', '{"iova": ', 'not valid JSON'],
    ['__proto__', '{"__proto__": {"polluted": true}}', 'not valid JSON'],
    ['constructor.prototype', '{"constructor": {"prototype": {"polluted": true}}}', 'not valid JSON'],
    ['an array', '[1,2,3]', ''],
    ['an unknown field', '{"zzz": 1}', ''],
  ];

  it('refuses hostile bodies on every action before the backend, each refusal audited, no intent written', async () => {
    const spies = spyBackend();
    for (const r of actions()) {
      for (const [what, payload, message] of hostile) {
        const before = f.audit().length;
        const res = await f.req({ method: r.method, url: r.url, payload, headers: { 'content-type': 'application/json' } });
        expect(res.statusCode, `${r.url} ${what}: ${res.body.slice(0, 200)}`).toBe(400);
        expect(res.json().error.errno, `${r.url} ${what}`).toBe('EVALIDATION');
        expect(res.json().error.message).toContain(message);
        const lines = f.audit().slice(before);
        expect(lines, `${r.url} ${what}`).toEqual([
          expect.objectContaining({ phase: 'refused', action: r.spec.action, status: 400, errno: 'EVALIDATION' }),
        ]);
      }
    }
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses any body on routes that take none, and bodies over the size limit', async () => {
    for (const name of ['groupClose', 'deviceReset'] as const) {
      const r = requests.find((x) => x.name === name)!;
      const res = await f.req({ method: 'POST', url: r.url, payload: { container: 1 } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'container' });
    }
    // an empty body (with or without a JSON content type) is no body
    const close = requests.find((x) => x.name === 'groupClose')!;
    expect((await f.req({ method: 'POST', url: close.url, payload: '', headers: { 'content-type': 'application/json' } })).statusCode).toBe(
      200,
    );
    const big = await f.req({
      method: 'POST',
      url: requests.find((x) => x.name === 'regionWrite')!.url,
      payload: `{"offset":"0x0","data":"${'00'.repeat(40_000)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ errno: 'E2BIG', field: 'body' });
    const text = await f.req({ method: 'POST', url: '/api/v1/groups/4/open', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'content-type' });
  });
});

describe('one error format', () => {
  it('answers bad URL escapes, unknown routes and methods in the problem format', async () => {
    const bad = await f.req({ method: 'POST', url: '/api/v1/devices/%C0%AE%C0%AE/reset' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'url' });
    expect(bad.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const none = await f.req({ method: 'PUT', url: '/api/v1/topology' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.errno).toBe('ENOTFOUND');
    const badParam = await f.req({ method: 'GET', url: '/api/v1/devices/not-a-bdf' });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'bdf' });
  });
});

describe('security headers', () => {
  it('are on every response: API, errors, the UI', async () => {
    for (const [url, as] of [
      ['/api/v1/topology', 'viewer'],
      ['/api/v1/topology', 'none'],
      ['/', 'none'],
      ['/api/v1/nope', 'none'],
    ] as const) {
      const res = await f.req({ method: 'GET', url, as });
      expect(res.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
      expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    }
  });
});

describe('/metrics', () => {
  it('needs a viewer token (header or ?token=), unless the server was told --metrics-public', async () => {
    expect((await f.req({ method: 'GET', url: routes.metrics.path, as: 'none' })).statusCode).toBe(401);
    expect((await f.req({ method: 'GET', url: '/%6detrics', as: 'none' })).statusCode).toBe(401);
    const ok = await f.req({ method: 'GET', url: routes.metrics.path, as: 'viewer' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('vfioscope_iommu_groups');
    expect((await f.app.inject({ method: 'GET', url: `/metrics?token=${VIEWER}` })).statusCode).toBe(200);
    await f.req({ method: 'GET', url: '/api/v1/host', as: 'none' });
    expect((await f.req({ method: 'GET', url: routes.metrics.path, as: 'viewer' })).body).toMatch(
      /vfioscope_http_refused_total\{status="401",code="EAUTH"\} [1-9]/,
    );
    await f.close();
    f = await makeFixture('edu', { metricsPublic: true });
    expect((await f.req({ method: 'GET', url: routes.metrics.path, as: 'none' })).statusCode).toBe(200);
  });
});

describe('routes', () => {
  it('a route registered without a declared role stops the server at startup', async () => {
    const { buildApp } = await import('../app.ts');
    const { createSimHost, loadScenario } = await import('@vfioscope/host-sim');
    const { TokenStore } = await import('../auth/tokens.ts');
    const host = createSimHost({ scenario: loadScenario('edu') });
    const app = await buildApp({ host, tokens: new TokenStore([]), dataDir: null, autoTick: false, webDir: '/nonexistent' });
    expect(() => app.get('/api/v1/sneaky', async () => ({ secret: true }))).toThrow(/declares no role/);
    await app.close();
    await host.close();
  });
});
