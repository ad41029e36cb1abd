import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import type { RotationEvent } from './jsonl-rotation.ts';

describe('EventLog', () => {
  let dir: string;
  let file: string;
  let t: number;
  const clock = () => t;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-eventlog-'));
    file = join(dir, 'state', 'events.jsonl');
    t = 1_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends JSON lines that are in the file as soon as append returns', async () => {
    const log = new EventLog(file, { clock });
    const e = log.append({ kind: 'action', message: 'mapDma container 3', op: 'mapDma', container: 3, actor: 'operator' });
    expect(e).toMatchObject({ seq: 1, ts: 1_000, kind: 'action' });
    t = 2_000;
    log.append({ kind: 'error', message: 'mapDma failed: EEXIST', errno: 'EEXIST', data: { iova: '0x1000' } });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { kind: 'action', message: 'mapDma container 3', op: 'mapDma', container: 3, actor: 'operator', seq: 1, ts: 1_000 },
      { kind: 'error', message: 'mapDma failed: EEXIST', errno: 'EEXIST', data: { iova: '0x1000' }, seq: 2, ts: 2_000 },
    ]);
    await log.close();
  });

  it('reopens an existing file, keeps its events queryable and continues the sequence', async () => {
    const first = new EventLog(file, { clock });
    first.append({ kind: 'info', message: 'server started' });
    first.append({ kind: 'alert', message: 'interrupt storm on 0000:01:00.0 MSIX[2]', device: '0000:01:00.0' });
    await first.close();

    const second = new EventLog(file, { clock });
    expect(second.seq).toBe(2);
    expect(second.query({}).map((e) => e.message)).toEqual(['server started', 'interrupt storm on 0000:01:00.0 MSIX[2]']);
    const next = second.append({ kind: 'alert-cleared', message: 'storm cleared', device: '0000:01:00.0' });
    expect(next.seq).toBe(3);
    await second.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('skips a torn last line from a crash and starts the next event on its own line', async () => {
    const first = new EventLog(file, { clock });
    first.append({ kind: 'info', message: 'one' });
    await first.close();
    appendFileSync(file, '{"seq":2,"kind":"act');
    const second = new EventLog(file, { clock });
    expect(second.seq).toBe(1);
    second.append({ kind: 'info', message: 'two' });
    await second.close();
    const third = new EventLog(file, { clock });
    expect(third.query({}).map((e) => [e.seq, e.message])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    await third.close();
  });

  it('answers queries by sequence, kind, text and limit', () => {
    const log = new EventLog(null, { clock });
    for (let i = 1; i <= 10; i++)
      log.append(i % 3 === 0 ? { kind: 'error', message: `op ${i}`, errno: 'EINVAL' } : { kind: 'action', message: `op ${i}` });
    expect(log.query({ sinceSeq: 7 }).map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(log.query({ sinceSeq: 2, limit: 2 }).map((e) => e.seq)).toEqual([3, 4]);
    expect(log.query({ limit: 3 }).map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(log.query({ kinds: ['error'] }).map((e) => e.seq)).toEqual([3, 6, 9]);
    expect(log.query({ text: 'einval', limit: 2 }).map((e) => e.seq)).toEqual([6, 9]);
    expect(log.query({ beforeSeq: 4 }).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.query({ text: 'op 10' }).map((e) => e.seq)).toEqual([10]);
  });

  it('reads older events back from the file beyond what memory keeps', async () => {
    const log = new EventLog(file, { clock, memoryLimit: 20 });
    for (let i = 1; i <= 50; i++) log.append({ kind: 'action', message: `op ${i}` });
    expect(log.query({ sinceSeq: 0, limit: 3 }).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.query({ text: 'op 5"', limit: 5 }).map((e) => e.seq)).toEqual([5]);
    expect(log.query({ limit: 2 }).map((e) => e.seq)).toEqual([49, 50]);
    await log.close();
  });

  it('keeps appends after close in memory without touching the file or reporting errors', async () => {
    const errors: unknown[] = [];
    const log = new EventLog(file, { clock, onWriteError: (err) => errors.push(err) });
    log.append({ kind: 'info', message: 'before' });
    await log.close();
    log.append({ kind: 'info', message: 'after' });
    expect(log.query({}).map((e) => e.message)).toEqual(['before', 'after']);
    expect(errors).toEqual([]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('tells listeners about each event', () => {
    const log = new EventLog(null, { clock });
    const seen: number[] = [];
    const off = log.on((e) => seen.push(e.seq));
    log.append({ kind: 'info', message: 'a' });
    off();
    log.append({ kind: 'info', message: 'b' });
    expect(seen).toEqual([1]);
  });
  it('keeps the event in memory when the disk is full, counts the failure and reports it once', () => {
    const reported: [string | undefined, number][] = [];
    const log = new EventLog('/dev/full', { clock, onWriteError: (err, e) => reported.push([err.code, e.seq]) });
    for (let i = 1; i <= 3; i++) expect(log.append({ kind: 'info', message: `m${i}` }).seq).toBe(i);
    expect(reported).toEqual([['ENOSPC', 1]]);
    expect(log.stats()).toMatchObject({ writeErrors: 3, writeFailing: true, inMemory: 3 });
    expect(log.query({}).map((e) => e.message)).toEqual(['m1', 'm2', 'm3']);
  });

  it('rotates, answers from the current file and memory only, and continues the sequence after a restart', async () => {
    const rotations: RotationEvent[] = [];
    const opts = { clock, memoryLimit: 5, maxBytes: 1024, keep: 2, onRotate: (e: RotationEvent) => rotations.push(e) };
    const log = new EventLog(file, opts);
    for (let i = 1; i <= 100; i++) log.append({ kind: 'action', message: `op ${i}` });
    expect(rotations.filter((r) => r.type === 'rotated').length).toBeGreaterThanOrEqual(5);
    expect(rotations.filter((r) => r.type === 'deleted').length).toBe(rotations.filter((r) => r.type === 'rotated').length - 2);
    const archives = readdirSync(join(dir, 'state')).filter((n) => n !== 'events.jsonl');
    expect(archives).toHaveLength(2);

    const current = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number });
    // the ring (the last 5) may reach back past the rotation
    const first = Math.min(current[0]?.seq ?? -1, 96);
    const page = log.page({ sinceSeq: 0, limit: 1000 });
    expect(page.oldestAvailableSeq).toBe(first);
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 101 - first }, (_, i) => first + i));
    expect(page.more).toBeNull();
    await log.close();

    const reopened = new EventLog(file, opts);
    expect(reopened.seq).toBe(100);
    await reopened.close();
    // a crash between renaming the full file and creating the next one leaves no current file
    renameSync(file, `${file}.99`);
    const afterCrash = new EventLog(file, opts);
    expect(afterCrash.seq).toBe(100);
    expect(afterCrash.append({ kind: 'info', message: 'next' }).seq).toBe(101);
    await afterCrash.close();
  });

  it('stores an event too large for the log with its data replaced by a note', async () => {
    const log = new EventLog(file, { clock });
    const e = log.append({ kind: 'info', message: 'big', op: 'dump', data: { blob: 'x'.repeat(100 * 1024) } });
    expect(e).toMatchObject({ seq: 1, op: 'dump', message: 'big', data: { omitted: expect.stringContaining('bytes') } });
    await log.close();
    const line = readFileSync(file, 'utf8');
    expect(line.length).toBeLessThan(1024);
    expect(JSON.parse(line)).toEqual(e);
  });
});
