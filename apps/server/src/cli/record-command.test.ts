import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimHost, loadScenario } from '@vfioscope/host-sim';
import { TokenStore } from '../auth/tokens.ts';
import { readRecordingFile } from '../recording/read-recording.ts';
import { HOST_WIDE_TOPICS } from '../recording/recorded-topics.ts';
import { listen, type RunningServer } from '../server.ts';
import { UsageError } from './args.ts';
import { parseDuration, runRecordCommand } from './record-command.ts';

let dir = '';
let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

const snapshotTopics = (file: string) =>
  new Set(readRecordingFile(file).lines.flatMap((l) => ('m' in l && l.m.type === 'snapshot' ? [l.m.topic] : [])));

describe('vfioscope record', () => {
  it('records in-process for --duration and ends the file cleanly', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-cmd-'));
    const out = join(dir, 'edu.vfr');
    const o = io();
    expect(await runRecordCommand(['--out', out, '--duration', '1500ms', '--scenario', 'edu'], o.io)).toBe(0);
    const r = readRecordingFile(out);
    expect(r.header).toMatchObject({ source: 'in-process', host: { backend: 'sim', scenario: 'edu' }, tickHz: 10, redacted: false });
    expect(r.end).toBe('duration');
    for (const t of HOST_WIDE_TOPICS) expect(snapshotTopics(out)).toContain(t);
    expect(o.out.join('')).toMatch(/edu\.vfr: \d+ KiB, \d+ messages, ended: duration/);
  });

  it('records a running server over its stream (--server, --token-file), with --redact', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-cmd-'));
    server = await listen({
      host: createSimHost({ scenario: loadScenario('default') }),
      tokens: new TokenStore([{ token: 'viewer-token-0123', role: 'viewer', id: 'alice' }]),
      dataDir: join(dir, 'state'),
      logger: false,
      listenHost: '127.0.0.1',
      port: 0,
    });
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'viewer-token-0123\n');
    const out = join(dir, 'remote.vfr');
    const o = io();
    const code = await runRecordCommand(
      ['--server', server.origin, '--token-file', tokenFile, '--out', out, '--duration', '2s', '--redact'],
      o.io,
    );
    expect(o.err.join('')).not.toMatch(/error/i);
    expect(code).toBe(0);
    const r = readRecordingFile(out);
    expect(r.header).toMatchObject({
      source: 'server',
      host: { name: 'redacted-host', backend: 'sim', scenario: 'default' },
      redacted: true,
    });
    for (const t of HOST_WIDE_TOPICS) expect(snapshotTopics(out)).toContain(t);
    const text = JSON.stringify(r.lines);
    expect(text).not.toContain(server.app.vfio.ctx.hostInfo.hostname);
    expect(text).toContain('redacted-host');
  });

  it('names the flag at fault', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-cmd-'));
    const o = io();
    const usage = (argv: string[]) =>
      runRecordCommand(argv, o.io).then(
        () => 'no error',
        (e: Error) => `${e.constructor.name}: ${e.message}`,
      );
    expect(await usage([])).toBe(`${UsageError.name}: --out FILE is required (where the recording goes)`);
    expect(await usage(['--out', 'x', '--duration', 'soon'])).toMatch(/--duration must be a duration like 90s/);
    expect(await usage(['--out', 'x', '--topics', 'host,dma'])).toMatch(/--topics: "dma" is not one of/);
    expect(await usage(['--out', 'x', '--server', 'http://127.0.0.1:1'])).toMatch(/--server needs --token-file/);
    expect(await usage(['--out', 'x', '--server', 'http://127.0.0.1:1', '--token-file', join(dir, 'none'), '--scenario', 'edu'])).toMatch(
      /--scenario is for recording in-process/,
    );
    expect(await usage(['--out', 'x', '--server', 'ftp://h', '--token-file', join(dir, 'none')])).toMatch(
      /--server: must be http:\/\/ or https:\/\//,
    );
    expect(await usage(['--out', 'x', '--server', 'http://127.0.0.1:1', '--token-file', join(dir, 'none')])).toMatch(
      /--token-file: cannot read .*ENOENT/,
    );
    const existing = join(dir, 'exists.vfr');
    writeFileSync(existing, '');
    expect(await usage(['--out', existing, '--duration', '1s', '--scenario', 'edu'])).toMatch(/--out .*exists\.vfr: the file exists/);
  });

  it('reads durations as people write them', () => {
    expect(parseDuration('duration', '90s')).toBe(90_000);
    expect(parseDuration('duration', '10m')).toBe(600_000);
    expect(parseDuration('duration', '1h')).toBe(3_600_000);
    expect(parseDuration('duration', '250ms')).toBe(250);
    expect(parseDuration('duration', '2')).toBe(2000);
    expect(() => parseDuration('duration', '0s')).toThrow(UsageError);
  });
});
