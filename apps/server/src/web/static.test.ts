import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
