import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';

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
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
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
    for (let i = 1; i <= 10; i++) log.append({ kind: i % 3 === 0 ? 'error' : 'action', message: `op ${i}`, errno: i % 3 === 0 ? 'EINVAL' : undefined });
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

  it('tells listeners about each event', () => {
    const log = new EventLog(null, { clock });
    const seen: number[] = [];
    const off = log.on((e) => seen.push(e.seq));
    log.append({ kind: 'info', message: 'a' });
    off();
    log.append({ kind: 'info', message: 'b' });
    expect(seen).toEqual([1]);
  });
});
