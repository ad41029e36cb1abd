import { spawn } from 'node:child_process';
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
  return { child, exited, output, get out() { return out; }, get err() { return err; } };
}

describe('vfioscope serve (a real process)', () => {
  it('prints a login URL with a generated operator token, serves the API, and shuts down in order on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-'));
    const s = serve(['--scenario', 'edu', '--listen', '127.0.0.1:17011'], { XDG_STATE_HOME: dir });
    const [, token] = await s.output(/http:\/\/127\.0\.0\.1:17011\/\?token=(\S+)/);
    expect(s.out).toContain('IOMMU groups');
    const dataDir = join(dir, 'vfioscope');
    expect(readFileSync(join(dataDir, 'session-token'), 'utf8').trim()).toBe(token);
    const h = { authorization: `Bearer ${token}` };
    const open = await fetch('http://127.0.0.1:17011/api/v1/groups/3/open', { method: 'POST', headers: h });
    expect(open.status).toBe(200);
    expect((await fetch('http://127.0.0.1:17011/api/v1/topology')).status).toBe(401);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.err).toContain('releasing VFIO groups');
    const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit).toEqual([
      expect.objectContaining({ phase: 'intent', action: 'group.open', tokenId: 'login' }),
      expect.objectContaining({ phase: 'result', action: 'group.open', tokenId: 'login', ok: true, id: audit[0].id }),
    ]);
    const events = readFileSync(join(dataDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // the teardown on SIGTERM is on record: the session closed what it held
    expect(events.map((e) => e.op)).toEqual(expect.arrayContaining(['openGroup', 'close']));
    expect(events.find((e) => e.op === 'close')).toMatchObject({ kind: 'action' });
  }, 60000);

  it('uses fixed tokens from --token-file with their roles', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-'));
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, 'viewer:viewer-token-123\noperator:operator-token-456\n');
    const s = serve(['--scenario', 'edu', '--listen', '127.0.0.1:17012', '--token-file', tokens, '--data-dir', join(dir, 'state')]);
    await s.output(/Listening on http:\/\/127\.0\.0\.1:17012\//);
    expect(s.out).not.toContain('?token=');
    const viewer = { authorization: 'Bearer viewer-token-123' };
    expect((await fetch('http://127.0.0.1:17012/api/v1/topology', { headers: viewer })).status).toBe(200);
    expect((await fetch('http://127.0.0.1:17012/api/v1/groups/3/open', { method: 'POST', headers: viewer })).status).toBe(403);
    expect((await fetch('http://127.0.0.1:17012/api/v1/groups/3/open', { method: 'POST', headers: { authorization: 'Bearer operator-token-456' } })).status).toBe(200);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(existsSync(join(dir, 'state', 'audit.log'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'session-token'))).toBe(false);
  }, 60000);
});
