/**
 * The data disk, abused: the logs must never let an action go unaudited nor
 * take the server down.
 *  - full disk: the data dir on a 2 MiB tmpfs in a private mount namespace
 *    (as root; the kernel says ENOSPC), or else a file-size limit set on the
 *    running server with prlimit (the kernel says EFBIG). Once full, map,
 *    open and reset are refused with 503 naming the errno, nothing reaches
 *    the backend, and no line of audit.log is torn; freed, actions work again;
 *  - a torn audit tail left by a crash is terminated at startup, so the next
 *    record is a line of its own;
 *  - a large events.jsonl is not read whole at startup: the server's peak
 *    memory stays far below the file's size and the sequence continues.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR, startServer, type ServerProcess } from './server-process.ts';

const auth = { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' };
let srv: ServerProcess | null = null;
afterEach(async () => {
  await srv?.stop();
  srv = null;
});

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${srv!.base}/api/v1${path}`, { method, headers: auth, body: body === undefined ? null : JSON.stringify(body) });

/** Can this process make a private mount namespace with its own tmpfs? (root, and unshare present) */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-probe-'));
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${dir}`]);
  rmSync(dir, { recursive: true, force: true });
  return r.status === 0;
}

function parseEveryLine(text: string): void {
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    expect(() => JSON.parse(line), `audit.log line ${i + 1}: ${line.slice(0, 80)}`).not.toThrow();
  }
}

describe('a full data disk', () => {
  it('refuses map, open and reset with 503 and the errno, audits nothing torn, and recovers once there is room', async () => {
    const tmpfs = canMountTmpfs();
    const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-full-'));
    srv = await startServer({
      dataDir,
      scenario: 'default',
      // a private mount namespace keeps the tmpfs away from the rest of the machine
      ...(tmpfs ? { wrap: ['unshare', '-m', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs ${dataDir} && exec "$@"`, 'sh'] } : {}),
    });
    // the server's view of its data dir (inside its mount namespace)
    const seen = tmpfs ? `/proc/${srv.child.pid}/root${dataDir}` : dataDir;
    const opened = await api('POST', '/groups/23/open');
    expect(opened.status, await opened.clone().text()).toBe(200);
    const container = ((await opened.json()) as { container: number }).container;

    let expected: string;
    if (tmpfs) {
      // fill the tmpfs to the last byte
      const fd = openSync(join(seen, 'filler'), 'w');
      const block = Buffer.alloc(4096, 0x61);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      try {
        for (;;) writeSync(fd, block.subarray(0, 1));
      } catch {
        // full to the byte
      }
      closeSync(fd);
      expected = 'ENOSPC';
    } else {
      const size = statSync(join(seen, 'audit.log')).size;
      const r = spawnSync('prlimit', ['--pid', String(srv.child.pid), `--fsize=${size + 10}`]);
      expect(r.status, r.stderr.toString()).toBe(0);
      expected = 'EFBIG';
    }
    // the audit file's last page may still hold a few records: act until the disk refuses an intent
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await api('POST', '/devices/0000:65:00.0/regions/0/read', { offset: '0x0', size: 4 });
      refused = res.status === 503;
      if (!refused) expect(res.status, await res.text()).toBe(200);
    }
    expect(refused).toBe(true);
    const before = await (await api('GET', '/containers')).text();
    const auditBefore = readFileSync(join(seen, 'audit.log'), 'utf8');
    for (const [method, path, body] of [
      ['POST', `/containers/${container}/mappings`, { iova: '0x100000', size: '0x1000', flags: ['read'] }],
      ['POST', '/groups/29/open', undefined],
      ['POST', '/devices/0000:65:00.0/reset', undefined],
    ] as const) {
      const res = await api(method, path, body);
      const problem = ((await res.json()) as { error: { errno: string; message: string } }).error;
      expect(res.status, `${path}: ${JSON.stringify(problem)}`).toBe(503);
      expect(problem.errno).toBe(expected);
      expect(problem.message).toContain('nothing was done');
    }
    expect(await (await api('GET', '/containers')).text()).toBe(before);
    const auditAfter = readFileSync(join(seen, 'audit.log'), 'utf8');
    expect(auditAfter).toBe(auditBefore); // not a byte of a torn record
    parseEveryLine(auditAfter);
    expect(await (await fetch(`${srv.base}/metrics`, { headers: auth })).text()).toMatch(/vfioscope_audit_write_failures_total [1-9]/);

    // room again: the same action goes through, audited
    if (tmpfs) rmSync(join(seen, 'filler'));
    else expect(spawnSync('prlimit', ['--pid', String(srv.child.pid), '--fsize=unlimited']).status).toBe(0);
    const again = await api('POST', `/containers/${container}/mappings`, { iova: '0x100000', size: '0x1000', flags: ['read'] });
    expect(again.status, await again.clone().text()).toBe(200);
    const tail = readFileSync(join(seen, 'audit.log'), 'utf8')
      .slice(auditAfter.length)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { phase: string; action: string });
    expect(tail.map((l) => [l.phase, l.action])).toEqual([
      ['intent', 'dma.map'],
      ['result', 'dma.map'],
    ]);
    expect(await srv.stop()).toBe(0);
    srv = null;
    if (!tmpfs) rmSync(dataDir, { recursive: true, force: true });
  }, 240_000);
});

describe('a torn audit tail', () => {
  it('is terminated at startup so the next record stands on its own line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-torn-'));
    const torn = '{"ts":"2026-12-01T00:00:00.000Z","phase":"intent","id":"x-1","action":"dma.map","tok';
    writeFileSync(join(dataDir, 'audit.log'), `{"ts":"2026-12-01T00:00:00.000Z","phase":"refused","action":"group.open"}\n${torn}`, {
      mode: 0o600,
    });
    srv = await startServer({ dataDir });
    expect((await api('POST', '/groups/3/open')).status).toBe(200);
    const lines = readFileSync(join(dataDir, 'audit.log'), 'utf8').split('\n');
    expect(lines[1]).toBe(torn);
    expect(JSON.parse(lines[2] ?? '')).toMatchObject({ phase: 'intent', action: 'group.open' });
    expect(JSON.parse(lines[3] ?? '')).toMatchObject({ phase: 'result', action: 'group.open', ok: true });
  }, 180_000);
});

/** VmHWM: the process's peak resident memory */
const peakKiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('a large events log at startup', () => {
  it('is read from its tail: peak memory far below the file, the sequence continues', async () => {
    // the server's own peak with an empty log, to hold the large log's against (the server's size is not the log's)
    const emptyDir = mkdtempSync(join(tmpdir(), 'vfioscope-events-empty-'));
    srv = await startServer({ dataDir: emptyDir });
    const baseKiB = peakKiB(srv.child.pid!);
    await srv.stop();
    srv = null;
    rmSync(emptyDir, { recursive: true, force: true });

    const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-events-'));
    const file = join(dataDir, 'events.jsonl');
    const line = (seq: number) =>
      `${JSON.stringify({ seq, ts: 1_764_000_000_000 + seq, kind: 'action', message: `mapDma container 1 iova 0x${seq.toString(16)} ${'x'.repeat(180)}`, op: 'mapDma', container: 1 })}\n`;
    const target = 256 * 1024 * 1024;
    let seq = 0;
    let size = 0;
    while (size < target) {
      const chunk: string[] = [];
      for (let i = 0; i < 10_000; i++) chunk.push(line(++seq));
      const text = chunk.join('');
      appendFileSync(file, text);
      size += Buffer.byteLength(text);
    }
    srv = await startServer({ dataDir, extraArgs: ['--log-max-bytes', String(1024 * 1024 * 1024)] });
    // reading the whole 256 MiB file would add at least that much; the tail adds a few MiB
    expect((peakKiB(srv.child.pid!) - baseKiB) * 1024).toBeLessThan(size / 4);
    expect((await api('POST', '/groups/3/open')).status).toBe(200);
    const recent = (await (await api('GET', '/events?limit=5')).json()) as { events: { seq: number; op?: string }[] };
    expect(recent.events.some((e) => e.seq === seq)).toBe(true);
    expect(recent.events.find((e) => e.seq > seq && e.op === 'openGroup')).toBeDefined();
    await srv.stop();
    srv = null;
    rmSync(dataDir, { recursive: true, force: true });
  }, 240_000);
});
