import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture | null = null;
let web = '';
afterEach(async () => {
  await f?.close();
  rmSync(web, { recursive: true, force: true });
});

describe('the built web UI', () => {
  it('is served at / (the UI routes by hash), its files as they are, and everything else is a JSON 404', async () => {
    web = mkdtempSync(join(tmpdir(), 'vfioscope-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>vfioscope ui</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(web, 'assets', 'app.js.map'), '{"version":3}');
    f = await makeFixture('edu', { webDir: web });
    expect(f.app.vfio.web).toBe('bundle');
    const root = await f.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('vfioscope ui');
    const js = await f.app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(js.body).toBe('console.log(1)');
    for (const url of [
      '/devices/0000:00:03.0',
      '/assets/missing.js',
      '/assets/app.js.map',
      '/assets/app.js.map/.',
      '/assets/./app.js.map',
      '/../package.json',
      '/assets/../../x',
      '/%2e%2e/etc/passwd',
    ]) {
      const r = await f.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.errno, url).toBe('ENOTFOUND');
    }
    const api = await f.req({ method: 'GET', url: '/api/v1/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.errno).toBe('ENOTFOUND');
    const login = await f.app.inject({ method: 'GET', url: '/?token=viewer-token-for-tests' });
    expect(String(login.headers['set-cookie'])).toContain('vfioscope_token=viewer-token-for-tests');
  });
});

/** A bundle like Vite's: index.html, hashed assets, precompressed copies of the big ones. */
function bundle(): { js: string; big: string } {
  web = mkdtempSync(join(tmpdir(), 'vfioscope-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>vfioscope ui</title><script src="./assets/app-1a2b3c.js"></script>');
  const js = `console.log(${JSON.stringify('vfioscope '.repeat(400))});`;
  writeFileSync(join(web, 'assets', 'app-1a2b3c.js'), js);
  writeFileSync(join(web, 'assets', 'app-1a2b3c.js.br'), brotliCompressSync(js));
  writeFileSync(join(web, 'assets', 'app-1a2b3c.js.gz'), gzipSync(js));
  // a build without copies (an older one, or another tool's): compressed on the fly
  const big = `.x{color:red}\n`.repeat(200);
  writeFileSync(join(web, 'assets', 'style-4d5e6f.css'), big);
  writeFileSync(join(web, 'robots.txt'), 'User-agent: *\n');
  return { js, big };
}

describe('caching the web UI', () => {
  it('keeps content-hashed assets for a year and revalidates everything else on each load', async () => {
    bundle();
    f = await makeFixture('edu', { webDir: web });
    const asset = await f.app.inject({ method: 'GET', url: '/assets/app-1a2b3c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await f.app.inject({ method: 'GET', url: '/assets/style-4d5e6f.css' })).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    for (const url of ['/', '/index.html', '/robots.txt']) {
      const r = await f.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['cache-control'], url).toBe('no-cache');
      // the revalidation: unchanged since the validator the browser kept, so no body
      expect(r.headers.etag, url).toBeDefined();
      const again = await f.app.inject({ method: 'GET', url, headers: { 'if-none-match': String(r.headers.etag) } });
      expect(again.statusCode, url).toBe(304);
      expect(again.body, url).toBe('');
    }
    expect((await f.app.inject({ method: 'GET', url: '/' })).headers['content-type']).toMatch(/^text\/html/);
  });

  it('marks the stub page (no UI built) no-cache too, so a build is seen on the next load', async () => {
    f = await makeFixture('edu');
    const r = await f.app.inject({ method: 'GET', url: '/' });
    expect(f.app.vfio.web).toBe('stub');
    expect(r.headers['cache-control']).toBe('no-cache');
  });
});

describe('compressing the web UI', () => {
  it('sends the build’s brotli or gzip copy as it is, by Accept-Encoding, and never a copy by its own name', async () => {
    const { js } = bundle();
    f = await makeFixture('edu', { webDir: web });
    const url = '/assets/app-1a2b3c.js';
    const br = await f.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.rawPayload.length).toBeLessThan(js.length / 10);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js);
    const gz = await f.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.equals(gzipSync(js))).toBe(true);
    for (const headers of [{}, { 'accept-encoding': 'identity' }]) {
      const plain = await f.app.inject({ method: 'GET', url, headers });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toBe(js);
    }
    for (const copy of [`${url}.br`, `${url}.gz`]) {
      const r = await f.app.inject({ method: 'GET', url: copy, headers: { 'accept-encoding': 'br' } });
      expect(r.statusCode, copy).toBe(404);
    }
  });

  it('compresses a file the build left without copies on the fly, and nothing with compression off', async () => {
    const { js, big } = bundle();
    f = await makeFixture('edu', { webDir: web });
    const css = await f.app.inject({ method: 'GET', url: '/assets/style-4d5e6f.css', headers: { 'accept-encoding': 'br, gzip' } });
    expect(css.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(css.rawPayload).toString()).toBe(big);
    await f.close();

    f = await makeFixture('edu', { webDir: web, compress: false });
    for (const [url, body] of [
      ['/assets/app-1a2b3c.js', js],
      ['/assets/style-4d5e6f.css', big],
    ] as const) {
      const r = await f.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(r.headers['content-encoding'], url).toBeUndefined();
      expect(r.body, url).toBe(body);
      expect(r.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  });
});
