import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { API_PREFIX } from '@vfioscope/protocol';
import { type Fixture, makeFixture, VIEWER } from '../test-support/app-fixture.ts';
import { connectStream } from '../test-support/ws-client.ts';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd' };

describe('response compression', () => {
  it('sends API JSON, the OpenAPI document and /metrics as brotli or gzip by Accept-Encoding, the same bytes once unpacked', async () => {
    f = await makeFixture('default');
    await f.advance(300);
    for (const url of [`${API_PREFIX}/topology`, `${API_PREFIX}/openapi.json`, '/metrics']) {
      const plain = await f.req({ method: 'GET', url, as: 'viewer' });
      expect(plain.statusCode, url).toBe(200);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      const br = await f.req({ method: 'GET', url, as: 'viewer', headers: BROWSER });
      expect(br.headers['content-encoding'], url).toBe('br');
      expect(br.headers.vary, url).toMatch(/accept-encoding/i);
      expect(br.headers['content-type'], url).toBe(plain.headers['content-type']);
      expect(br.rawPayload.length, url).toBeLessThan(plain.rawPayload.length / 3);
      const gz = await f.req({ method: 'GET', url, as: 'viewer', headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding'], url).toBe('gzip');
      if (url === '/metrics') {
        // counters move between two scrapes: the same series, each once
        const names = (t: string) => t.split('\n').filter((l) => l.startsWith('# TYPE'));
        expect(names(brotliDecompressSync(br.rawPayload).toString()), url).toEqual(names(plain.body));
        expect(names(gunzipSync(gz.rawPayload).toString()), url).toEqual(names(plain.body));
      } else {
        expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString()), url).toEqual(plain.json());
        expect(JSON.parse(gunzipSync(gz.rawPayload).toString()), url).toEqual(plain.json());
      }
    }
  });

  it('leaves small answers (health, a 404), `x-no-compression` and deflate-only clients uncompressed', async () => {
    f = await makeFixture('edu');
    const health = await f.req({ method: 'GET', url: `${API_PREFIX}/health`, as: 'none', headers: BROWSER });
    expect(health.statusCode).toBe(200);
    expect(health.rawPayload.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    const missing = await f.req({ method: 'GET', url: `${API_PREFIX}/nope`, headers: BROWSER });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.errno).toBe('ENOTFOUND');
    for (const headers of [{ ...BROWSER, 'x-no-compression': '1' }, { 'accept-encoding': 'deflate' }]) {
      const r = await f.req({ method: 'GET', url: `${API_PREFIX}/topology`, as: 'viewer', headers });
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.json()).toHaveProperty('groups');
    }
  });

  it('does not inflate a compressed request body: it is refused as the JSON it is not', async () => {
    f = await makeFixture('edu');
    const r = await f.req({
      method: 'POST',
      url: `${API_PREFIX}/groups/0/open`,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync('{}'),
    });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps the WebSocket stream working for a client that offers compression', async () => {
    f = await makeFixture('edu');
    const s = await connectStream(f.app, VIEWER, BROWSER);
    await s.waitFor((m) => m.type === 'hello');
    s.send({ type: 'subscribe', topics: ['topology'] });
    await s.waitFor((m) => m.type === 'snapshot' && m.topic === 'topology');
    expect(s.invalid).toEqual([]);
    s.close();
  });

  it('compresses nothing with compression off (serve --no-compress)', async () => {
    f = await makeFixture('edu', { compress: false });
    for (const url of [`${API_PREFIX}/topology`, '/metrics']) {
      const r = await f.req({ method: 'GET', url, as: 'viewer', headers: BROWSER });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-encoding'], url).toBeUndefined();
    }
  });
});
