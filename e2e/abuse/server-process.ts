/**
 * The built vfioscope server as a separate process on a loopback port, the
 * way an attacker on the machine meets it: a data dir, a token file with one
 * viewer and one operator (or none: the server's own session token), the
 * sim's edu scenario by default. Optionally wrapped in
 * another command (a mount namespace with a tiny tmpfs, a file-size limit).
 * Waits for /health with a generous deadline, never a fixed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const SERVER_BUNDLE = join(ROOT, 'apps/server/dist/vfioscope.js');
export const OPERATOR = 'abuse-operator-token-0123456789';
export const VIEWER = 'abuse-viewer-token-0123456789';

export interface ServerProcess {
  port: number;
  base: string;
  dataDir: string;
  child: ChildProcess;
  /** what the server printed on stderr so far */
  stderr(): string;
  /** what the server printed on stdout so far (the login URL, with `tokens: 'session'`) */
  stdout(): string;
  /** SIGTERM and wait for the exit status */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  dataDir?: string;
  /** argv prefix, e.g. ['prlimit', '--fsize=65536', '--'] */
  wrap?: string[];
  extraArgs?: string[];
  scenario?: string;
  /** replay this recording instead of a sim scenario (serve --replay FILE) */
  replay?: string;
  /** how long /health may take (generous: shared machines) */
  deadlineMs?: number;
  /** listen here instead of a fresh free port (a restart that open pages must find again) */
  port?: number;
  /** 'session': no --token-file, so the server keeps its own token in <data-dir>/session-token */
  tokens?: 'file' | 'session';
}

export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  if (!existsSync(SERVER_BUNDLE))
    throw new Error(`${SERVER_BUNDLE} is missing: the abuse suite runs the built server (scripts/bootstrap.sh builds it)`);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vfioscope-abuse-'));
  let tokenArgs: string[] = [];
  if (opts.tokens !== 'session') {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'vfioscope-abuse-tokens-')), 'tokens.txt');
    writeFileSync(tokenFile, `operator:${OPERATOR}\nviewer:${VIEWER}\n`, { mode: 0o600 });
    tokenArgs = ['--token-file', tokenFile];
  }
  const port = opts.port ?? (await freePort());
  const argv = [
    process.execPath,
    SERVER_BUNDLE,
    'serve',
    ...(opts.replay !== undefined ? ['--replay', opts.replay] : ['--scenario', opts.scenario ?? 'edu']),
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    ...tokenArgs,
    ...(opts.extraArgs ?? []),
  ];
  const [cmd, ...args] = [...(opts.wrap ?? []), ...argv] as [string, ...string[]];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.deadlineMs ?? 120_000);
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 100))]);
    if (early !== 'running') throw new Error(`the server exited (${early}) before answering /health:\n${err}`);
    const ok = await fetch(`${base}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within ${opts.deadlineMs ?? 120_000} ms:\n${err}`);
    }
  }
  return {
    port,
    base,
    dataDir,
    child,
    stderr: () => err,
    stdout: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
