import { describe, expect, it } from 'vitest';
import { type ApiRequest, apiRequest, createApiClient } from './client.ts';
import { routePath, routes } from './routes.ts';

/** a transport that answers every request with `answer` and remembers what it was asked */
function fake(answer: unknown, host?: string) {
  const sent: ApiRequest[] = [];
  const api = createApiClient(
    {
      send: async (req) => {
        sent.push(req);
        return answer;
      },
      mismatch: (req, message) => new Error(`${req.route}: ${message}`),
    },
    host,
  );
  return { api, sent };
}

describe('routePath', () => {
  it('fills and encodes :params, and refuses a path with one missing', () => {
    expect(routePath(routes.deviceIrq, { bdf: '0000:01:00.0', index: 'MSIX' })).toBe('/api/v1/devices/0000%3A01%3A00.0/irqs/MSIX');
    expect(routePath(routes.mappings, { id: 2 })).toBe('/api/v1/containers/2/mappings');
    expect(() => routePath(routes.mappings, {})).toThrow(/:id/);
  });
});

describe('apiRequest', () => {
  it("takes the route's method, fills its path, appends the query, and sends {} for an action without a body", () => {
    expect(apiRequest('unmap', { params: { id: 4 }, body: { all: true } })).toEqual({
      route: 'unmap',
      method: 'DELETE',
      url: '/api/v1/containers/4/mappings',
      body: { all: true },
    });
    expect(apiRequest('irqHistory', { query: { key: '0000:00:03.0/MSI/0', resolution: '1s' } }).url).toBe(
      '/api/v1/irqs/history?key=0000%3A00%3A03.0%2FMSI%2F0&resolution=1s',
    );
    expect(apiRequest('deviceReset', { params: { bdf: '0000:00:03.0' } }).body).toEqual({});
    expect(apiRequest('topology')).toEqual({ route: 'topology', method: 'GET', url: '/api/v1/topology' });
    expect(apiRequest('metrics').produces).toBe('text/plain');
  });
});

describe('createApiClient', () => {
  it('resolves with an answer that matches the route’s response schema', async () => {
    const answer = { role: 'viewer', tokenId: 'v', protocolVersion: 1 };
    const { api, sent } = fake(answer);
    const who = await api.call('whoami');
    expect(who.role).toBe('viewer');
    expect(sent[0]?.url).toBe('/api/v1/whoami');
  });

  it('rejects an answer that breaks the schema with the transport’s error, naming the field', async () => {
    const { api } = fake({ role: 'root', tokenId: 'v', protocolVersion: 1 });
    await expect(api.call('whoami')).rejects.toThrow(/^whoami: .*\/role/);
  });

  it("calls a fleet host's copy of each route when made for that host", async () => {
    const { api, sent } = fake({ container: 1, unmappedBytes: '0x1000', removed: 1 }, 'gpu-07');
    await api.call('unmap', { params: { id: 1 }, body: { all: true } });
    expect(`${sent[0]?.method} ${sent[0]?.url}`).toBe('DELETE /api/v1/hosts/gpu-07/containers/1/mappings');
  });

  it('types each call by its route: params, body and answer', async () => {
    const { api, sent } = fake({ container: 1, unmappedBytes: '0x1000', removed: 1 });
    // @ts-expect-error a route with :id needs its params (and at run time the path cannot be built)
    await expect(api.call('unmap', { body: { all: true } })).rejects.toThrow(/:id/);
    // @ts-expect-error the body must be the route's body
    void api.call('unmap', { params: { id: 1 }, body: { everything: true } });
    const done = await api.call('unmap', { params: { id: 1 }, body: { all: true } });
    expect(done.removed).toBe(1);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      'DELETE /api/v1/containers/1/mappings',
      'DELETE /api/v1/containers/1/mappings',
    ]);
  });
});
