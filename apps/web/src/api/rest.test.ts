import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onUnauthorized } from './auth.ts';
import { api, ApiError } from './rest.ts';

let calls: { url: string; init: RequestInit }[];
function answer(status: number, body: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
    }),
  );
}

beforeEach(() => {
  calls = [];
  const store = new Map<string, string>([['vfioscope.token', 't0k']]);
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: () => {}, removeItem: () => {} });
});
afterEach(() => vi.unstubAllGlobals());

describe('api.call', () => {
  it("sends the route's method, path and body with the token, and resolves with a conforming answer", async () => {
    answer(200, { container: 2, unmappedBytes: '0x2000', removed: 1 });
    const r = await api.call('unmap', { params: { id: 2 }, body: { all: true } });
    expect(r.removed).toBe(1);
    expect(calls[0]?.url).toBe('/api/v1/containers/2/mappings');
    expect(calls[0]?.init.method).toBe('DELETE');
    expect(calls[0]?.init.body).toBe('{"all":true}');
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBe('Bearer t0k');
  });

  it('turns an error body into an ApiError with the errno, field and hint', async () => {
    answer(409, { error: { errno: 'EEXIST', message: 'mapped', field: 'iova', hint: { kind: 'free-iova', iova: '0x3000' } } });
    const e = await api
      .call('map', { params: { id: 1 }, body: { iova: '0x1000', size: '0x1000', flags: ['read'] } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 409, errno: 'EEXIST', field: 'iova', hint: { kind: 'free-iova', iova: '0x3000' } });
  });

  it('refuses a 200 whose answer breaks the route’s schema (EPROTO), rather than hand it to a view', async () => {
    answer(200, { role: 'admin', tokenId: 'x', protocolVersion: 1 });
    await expect(api.call('whoami')).rejects.toMatchObject({ errno: 'EPROTO', message: expect.stringContaining('/role') });
  });

  it('reports a 401 to the session', async () => {
    const heard = vi.fn();
    const off = onUnauthorized(heard);
    answer(401, { error: { errno: 'EAUTH', message: 'no token' } });
    await expect(api.call('topology')).rejects.toMatchObject({ status: 401, errno: 'EAUTH' });
    expect(heard).toHaveBeenCalledTimes(1);
    off();
  });
});
