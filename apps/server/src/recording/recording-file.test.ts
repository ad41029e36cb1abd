import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { messageLine, PROTOCOL_VERSION, readRecordingText, RecordingFormatError, type RecordingHeader } from '@vfioscope/protocol';
import { inflateRecording, readRecordingFile } from './read-recording.ts';
import { RecordingWriter, type WriterFailure } from './recording-writer.ts';

const HEADER: RecordingHeader = {
  format: 'vfioscope-recording',
  version: 1,
  protocolVersion: PROTOCOL_VERSION,
  startedAt: 1_700_000_000_000,
  source: 'in-process',
  host: { name: 'lab-1', kernel: '6.12.0', backend: 'sim', scenario: 'default' },
  tickHz: 10,
  keyframeEveryMs: 10_000,
  redacted: false,
};

const delta = (seq: number) =>
  JSON.stringify({ type: 'delta', kind: 'pinned', topic: 'pinned', seq, data: { t: seq, stats: [], dmaEntries: [] } });

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function writeSample(file: string): Promise<void> {
  const w = new RecordingWriter(file, HEADER);
  await w.append(messageLine(1, delta(1)) + messageLine(2, delta(2)));
  await w.keyframe(3);
  await w.append(messageLine(4, delta(3)));
  await w.close(5, 'stopped');
}

describe('recording file', () => {
  it('reads back what was written: header, messages in order, keyframe markers, the end', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-'));
    const file = join(dir, 'a.vfr');
    await writeSample(file);
    const r = readRecordingFile(file);
    expect(r.header).toEqual(HEADER);
    expect(
      r.lines.map((l) => ('m' in l ? `m${(l.m as { seq: number }).seq}` : 'keyframe' in l ? `k${l.keyframe}` : `end:${l.end}`)),
    ).toEqual(['m1', 'm2', 'k1', 'm3', 'end:stopped']);
    expect(r.keyframes).toEqual([2]);
    expect(r.end).toBe('stopped');
    expect(r.truncated).toBe(false);
  });

  it('a file cut anywhere (kill -9, a full disk) reads up to its last whole line, never fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-'));
    const file = join(dir, 'a.vfr');
    await writeSample(file);
    const bytes = readFileSync(file);
    const whole = readRecordingFile(file).lines;
    // the header is flushed with the first batch; from there on every cut gives a prefix of the lines
    const firstFlush = inflateRecording(bytes).indexOf('\n') + 1;
    let cuts = 0;
    for (let n = bytes.length - 1; n > 0; n -= 3) {
      let text: string;
      try {
        text = inflateRecording(bytes.subarray(0, n));
      } catch {
        continue; // inside the gzip header itself: nothing to read yet
      }
      if (text.length < firstFlush) continue;
      const r = readRecordingText(text);
      expect(r.header).toEqual(HEADER);
      expect(whole.slice(0, r.lines.length)).toEqual(r.lines);
      if (r.lines.length < whole.length) expect(r.end).toBeNull();
      cuts++;
    }
    expect(cuts).toBeGreaterThan(20);
  });

  it('refuses to overwrite a file, and says EEXIST', () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-'));
    const file = join(dir, 'a.vfr');
    openSync(file, 'w');
    expect(() => new RecordingWriter(file, HEADER)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('a full disk closes the file and reports disk-full once (ENOSPC), and later writes are no-ops', async () => {
    const failures: WriterFailure[] = [];
    const w = new RecordingWriter(
      '/dev/full',
      HEADER,
      (f) => failures.push(f),
      (f) => openSync(f, 'w'),
    );
    await w.append(messageLine(1, delta(1)));
    await w.append(messageLine(2, delta(2)));
    await w.close(3, 'stopped');
    expect(failures).toEqual([expect.objectContaining({ reason: 'disk-full', errno: 'ENOSPC' })]);
    expect(w.open).toBe(false);
  });

  it('says which line is wrong and why', () => {
    expect(() => readRecordingText('{"format":"something-else"}\n')).toThrow(/line 1: format is "something-else"/);
    expect(() => readRecordingText(`${JSON.stringify({ ...HEADER, version: 9 })}\n`)).toThrow(/version 9; this vfioscope reads version 1/);
    expect(() => readRecordingText(`${JSON.stringify(HEADER)}\n{"t":1}\n`)).toThrow(RecordingFormatError);
    expect(() => readRecordingText(`${JSON.stringify(HEADER)}\n{"t":1}\n`)).toThrow(/line 2: neither a message/);
    expect(() => readRecordingText('')).toThrow(/no header/);
  });
});
