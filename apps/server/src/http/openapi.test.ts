import { afterEach, describe, expect, it } from 'vitest';
import { API_PREFIX, HOST_MIRROR_PATH, routeEntries } from '@vfioscope/protocol';
import { type Fixture, makeFixture } from '../test-support/app-fixture.ts';
import { openApiPath } from '../test-support/response-check.ts';
import { sampleRequests } from '../test-support/route-samples.ts';
import { registeredRoutes } from './route-registry.ts';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; 'x-role'?: string; 'x-action'?: string; responses?: object }>>;
}

async function document(fx: Fixture, as: 'viewer' | 'operator' | 'none' = 'viewer') {
  return fx.req({ method: 'GET', url: `${API_PREFIX}/openapi.json`, as });
}

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document a viewer may read, and nobody without a token', async () => {
    f = await makeFixture('edu');
    expect((await document(f, 'none')).statusCode).toBe(401);
    const r = await document(f);
    expect(r.statusCode).toBe(200);
    const doc = r.json<Doc & { jsonSchemaDialect: string }>();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.jsonSchemaDialect).toContain('draft-07');
  });

  it('holds every registered route with its method, and names each after its table entry with its role and action', async () => {
    f = await makeFixture('edu');
    const doc = (await document(f)).json<Doc>();
    const registered = registeredRoutes(f.app).filter((r) => r.method !== 'HEAD');
    expect(registered.length).toBeGreaterThan(20);
    const table = new Map(routeEntries().map(([name, spec]) => [`${spec.method} ${spec.path}`, [name, spec] as const]));
    for (const r of registered) {
      const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
      const entry = table.get(`${r.method} ${r.url}`);
      if (!entry) {
        // only the UI's files are served outside the table, and they are no API; nor is the table mirrored per host (fleet/hosts-routes.ts)
        expect(
          r.url === '/' || r.url === '/*' || r.url === HOST_MIRROR_PATH,
          `${r.method} ${r.url} is registered but is not in the route table`,
        ).toBe(true);
        expect(op).toBeUndefined();
        continue;
      }
      const [name, spec] = entry;
      expect(op, `${r.method} ${r.url} is registered but not in the document`).toBeDefined();
      expect(op?.operationId).toBe(name);
      expect(op?.['x-role']).toBe(spec.role);
      expect(op?.['x-action']).toBe(spec.action);
      expect(Object.keys(op?.responses ?? {})).toContain(spec.websocket ? '101' : '200');
    }
    // and nothing is documented that the server does not answer
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const served = new Set(registered.map((r) => `${r.method} ${openApiPath(r.url)}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
    expect(documented.sort()).toEqual([...table.values()].map(([, spec]) => `${spec.method} ${openApiPath(spec.path)}`).sort());
  });

  it('declares each route’s answer: its response schema for a 200, the error body for a 4xx', async () => {
    f = await makeFixture('edu');
    const doc = (await document(f)).json<Doc>();
    const topology = doc.paths['/api/v1/topology']?.get?.responses as Record<
      string,
      { content?: Record<string, { schema?: { required?: string[] } }> }
    >;
    expect(topology['200']?.content?.['application/json']?.schema?.required).toEqual(['groups', 'devices']);
    expect(topology['4XX']?.content?.['application/json']?.schema?.required).toEqual(['error']);
    const metrics = doc.paths['/metrics']?.get?.responses as Record<string, { content?: Record<string, unknown> }>;
    expect(Object.keys(metrics['200']?.content ?? {})).toEqual(['text/plain']);
  });

  it('every read answers as the document says (the fixture holds each answer to it; the actions are swept in auth-matrix)', async () => {
    f = await makeFixture('edu');
    const opened = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    const id = String(opened.json<{ container: number }>().container);
    await f.req({
      method: 'POST',
      url: `/api/v1/containers/${id}/mappings`,
      payload: { iova: '0x100000', size: '0x2000', flags: ['read', 'write'] },
    });
    await f.req({ method: 'POST', url: '/api/v1/devices/0000:00:03.0/irqs/MSI', payload: { action: 'trigger' } });
    await f.req({ method: 'POST', url: '/api/v1/recording/start' });
    await f.advance(500);
    const name = (await f.req({ method: 'POST', url: '/api/v1/recording/stop' })).json<{ recording: { name: string } }>().recording.name;
    const key = encodeURIComponent('0000:00:03.0/MSI/0');
    // GET /replay answers ENODATA on a live server by design; its 200 is held to the document in register-replay.test.ts
    const reads = sampleRequests({ group: '3', bdf: '0000:00:03.0', index: '0', id, name }).filter(
      (r) => r.method === 'GET' && r.name !== 'replay',
    );
    expect(reads.length).toBeGreaterThan(10);
    for (const r of reads) {
      const url = r.name === 'irqHistory' ? `${r.url.split('?')[0]}?key=${key}` : r.url;
      const res = await f.req({ method: 'GET', url, as: 'viewer' });
      expect(res.statusCode, `${r.name}: ${res.body.slice(0, 200)}`).toBe(200);
    }
  });
});
