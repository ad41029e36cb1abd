import { spawn, spawnSync } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import WebSocket from 'ws';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const MAIN = join(ROOT, 'apps/server/src/cli/main.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(TSX, [MAIN, 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const output = async (re: RegExp, ms = 40000) => {
    const deadline = Date.now() + ms;
    while (!re.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${re} in output:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return re.exec(out)!;
  };
  return {
    child,
    exited,
    output,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

describe('vfioscope serve (a real process)', () => {
  it('prints a login URL with a generated operator token, serves the API, and shuts down in order on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-'));
    const s = serve(['--scenario', 'edu', '--listen', '127.0.0.1:0'], { XDG_STATE_HOME: dir });
    const [, port, token] = await s.output(/http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/);
    const base = `http://127.0.0.1:${port}`;
    expect(s.out).toContain('IOMMU groups');
    const dataDir = join(dir, 'vfioscope');
    expect(readFileSync(join(dataDir, 'session-token'), 'utf8').trim()).toBe(token);
    const h = { authorization: `Bearer ${token}` };
    const open = await fetch(`${base}/api/v1/groups/3/open`, { method: 'POST', headers: h });
    expect(open.status).toBe(200);
    expect((await fetch(`${base}/api/v1/topology`)).status).toBe(401);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.err).toContain('releasing VFIO groups');
    const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toEqual([
      expect.objectContaining({ phase: 'intent', action: 'group.open', tokenId: 'login' }),
      expect.objectContaining({ phase: 'result', action: 'group.open', tokenId: 'login', ok: true, id: audit[0].id }),
    ]);
    const events = readFileSync(join(dataDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // the teardown on SIGTERM is on record: the session closed what it held
    expect(events.map((e) => e.op)).toEqual(expect.arrayContaining(['openGroup', 'close']));
    expect(events.find((e) => e.op === 'close')).toMatchObject({ kind: 'action' });
  }, 60000);

  it('uses fixed tokens from --token-file with their roles', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-'));
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, 'viewer:viewer-token-123\noperator:operator-token-456\n');
    const s = serve(['--scenario', 'edu', '--listen', '127.0.0.1:0', '--token-file', tokens, '--data-dir', join(dir, 'state')]);
    const [, port] = await s.output(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    const base = `http://127.0.0.1:${port}`;
    expect(s.out).not.toContain('?token=');
    const viewer = { authorization: 'Bearer viewer-token-123' };
    expect((await fetch(`${base}/api/v1/topology`, { headers: viewer })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/groups/3/open`, { method: 'POST', headers: viewer })).status).toBe(403);
    expect(
      (
        await fetch(`${base}/api/v1/groups/3/open`, {
          method: 'POST',
          headers: { authorization: 'Bearer operator-token-456' },
        })
      ).status,
    ).toBe(200);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(existsSync(join(dir, 'state', 'audit.log'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'session-token'))).toBe(false);
  }, 60000);

  it('serves HTTPS and WSS with --tls-cert/--tls-key, and marks the login cookie Secure', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, 'viewer:tls-viewer-token-0001\n');
    const s = serve(['--scenario', 'edu', '--listen', '127.0.0.1:0', '--token-file', tokens, '--tls-cert', cert, '--tls-key', key], {
      XDG_STATE_HOME: dir,
    });
    const port = Number((await s.output(/Listening on https:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const ca = readFileSync(cert);
    const get = (path: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((res, rej) => {
        httpsGet(
          { host: '127.0.0.1', port, path, ca, servername: 'localhost', headers: { authorization: 'Bearer tls-viewer-token-0001' } },
          (r) => {
            let body = '';
            r.on('data', (d) => (body += d));
            r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body }));
          },
        ).on('error', rej);
      });
    const whoami = await get('/api/v1/whoami');
    expect(whoami.status).toBe(200);
    expect(JSON.parse(whoami.body)).toMatchObject({ role: 'viewer' });
    expect(whoami.headers['strict-transport-security']).toBe('max-age=31536000');
    const login = await get('/?token=tls-viewer-token-0001');
    expect(String(login.headers['set-cookie'])).toContain('; Secure');
    // plain HTTP on the TLS port is not answered as HTTP
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/stream?token=tls-viewer-token-0001`, {
      ca,
      servername: 'localhost',
      headers: { origin: `https://127.0.0.1:${port}` },
    });
    const hello = await new Promise<{ type: string }>((res, rej) => {
      ws.once('message', (m) => res(JSON.parse(String(m)) as { type: string }));
      ws.once('error', rej);
    });
    expect(hello.type).toBe('hello');
    ws.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60000);

  it('keeps its generated token across restarts, and says where it is on /health', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-token-'));
    const first = serve(['--scenario', 'edu', '--listen', '127.0.0.1:0'], { XDG_STATE_HOME: dir });
    const [, token] = await first.output(/\?token=(\S+)/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = serve(['--scenario', 'edu', '--listen', '127.0.0.1:0'], { XDG_STATE_HOME: dir });
    const [, port, again] = await second.output(/:(\d+)\/\?token=(\S+)/);
    expect(again).toBe(token);
    expect(second.out).toContain(`the token kept in ${join(dir, 'vfioscope', 'session-token')}`);
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as { sessionTokenFile?: string };
    expect(health.sessionTokenFile).toBe(join(dir, 'vfioscope', 'session-token'));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60000);
});
