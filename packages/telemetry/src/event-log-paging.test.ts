import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import type { EventCursor, EventLogQuery, LogEvent } from './event-log-types.ts';
import { syntheticEvent, writeSyntheticEvents } from './synthetic-events.ts';

const KiB = 1024;

/** follows the cursors from `q` until the log says there is no more; every page's file cost too */
function drain(log: EventLog, q: EventLogQuery): { seqs: number[]; pages: number; costs: number[] } {
  const seqs: number[] = [];
  const costs: number[] = [];
  let cursor: EventCursor | null = null;
  let pages = 0;
  do {
    const before = log.stats().bytesRead;
    const page = log.page({ ...q, ...(cursor ?? {}) });
    costs.push(log.stats().bytesRead - before);
    const batch = page.events.map((e) => e.seq);
    // each page is oldest first, so a backward walk prepends
    if (cursor !== null && 'beforeSeq' in cursor) seqs.unshift(...batch);
    else if (cursor === null && q.sinceSeq === undefined) seqs.unshift(...batch);
    else seqs.push(...batch);
    cursor = page.more;
    if (++pages > 10_000) throw new Error('paging does not end');
  } while (cursor !== null);
  return { seqs, pages, costs };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('EventLog over a file larger than memory', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-eventlog-paging-'));
    file = join(dir, 'events.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens by reading only the tail, keeps only the tail in memory and continues the sequence', async () => {
    const { count, bytes } = writeSyntheticEvents(file, { count: 100_000 });
    const log = new EventLog(file, { memoryLimit: 1000 });
    const tailBytes = 1000 * (bytes / count) * 1.1;
    const stats = log.stats();
    expect(stats.inMemory).toBe(1000);
    // the tail, at most one chunk more, and one probe for the file's first seq
    expect(stats.bytesRead).toBeLessThan(tailBytes + 64 * KiB + 8 * KiB);
    expect(stats.bytesRead).toBeLessThan(bytes / 30);
    expect(stats.indexEntries).toBeGreaterThan(1);
    expect(log.seq).toBe(100_000);
    expect(log.append({ kind: 'info', message: 'after restart' }).seq).toBe(100_001);
    expect(log.query({ limit: 3 }).map((e) => e.seq)).toEqual([99_999, 100_000, 100_001]);
    expect(log.page({ limit: 1 })).toMatchObject({ oldestAvailableSeq: 1, newestSeq: 100_001, more: { beforeSeq: 100_001 } });
    await log.close();
    expect(statSync(file).size).toBeGreaterThan(bytes);
  });

  it('seeks to an old event through the index and a few probes, not a scan', async () => {
    writeSyntheticEvents(file, { count: 60_000 });
    const log = new EventLog(file, { memoryLimit: 500 });
    const cost = (q: EventLogQuery): [number[], number] => {
      const before = log.stats().bytesRead;
      const seqs = log.query(q).map((e) => e.seq);
      return [seqs, log.stats().bytesRead - before];
    };
    const [mid, midCost] = cost({ sinceSeq: 25_000, limit: 5 });
    expect(mid).toEqual(range(25_001, 25_005));
    // about 10 probes of 4 KiB to narrow 17 MB to a 64 KiB stride, then at most a stride of reading
    expect(midCost).toBeLessThan(160 * KiB);
    const [again, againCost] = cost({ sinceSeq: 25_010, limit: 5 });
    expect(again).toEqual(range(25_011, 25_015));
    // the probes are in the index now
    expect(againCost).toBeLessThanOrEqual(midCost);
    const [backwards] = cost({ beforeSeq: 30_000, limit: 3 });
    expect(backwards).toEqual([29_997, 29_998, 29_999]);
    await log.close();
  });

  it.each(['appended live', 'reopened'])('pages forwards and backwards across the ring/file boundary with cursors (%s)', async (how) => {
    const n = 6000;
    const opts = { memoryLimit: 100, queryReadBytes: 256 * KiB };
    let log = new EventLog(file, opts);
    for (let i = 1; i <= n; i++) {
      const { seq: _seq, ...input } = syntheticEvent(i);
      log.append(input);
    }
    if (how === 'reopened') {
      await log.close();
      log = new EventLog(file, opts);
    }
    const all = range(1, n);
    expect(drain(log, { sinceSeq: 0, limit: 70 }).seqs).toEqual(all);
    expect(drain(log, { limit: 70 }).seqs).toEqual(all);
    expect(drain(log, { sinceSeq: 1234, beforeSeq: 5950, limit: 333 }).seqs).toEqual(range(1235, 5949));

    const errors = all.filter((s) => s % 50 === 0);
    const forward = drain(log, { sinceSeq: 0, kinds: ['error'], limit: 1000 });
    expect(forward.seqs).toEqual(errors);
    // the limit is never reached: the 256 KiB budget ends the pages over a ~1.7 MB file
    expect(forward.pages).toBeGreaterThanOrEqual(Math.floor(statSync(file).size / (256 * KiB)));
    expect(drain(log, { kinds: ['error'], limit: 7 }).seqs).toEqual(errors);
    const textMatches = all.filter((s) => syntheticEvent(s).message.includes('container 3 failed'));
    expect(drain(log, { text: 'CONTAINER 3 FAILED', limit: 1000 }).seqs).toEqual(textMatches);
    await log.close();
  });

  it('reads at most queryReadBytes per call, whatever the query', async () => {
    const needle = (seq: number): LogEvent | undefined => (seq === 7 ? { kind: 'info', message: 'needle zzzz', seq, ts: 1 } : undefined);
    const { bytes } = writeSyntheticEvents(file, { count: 40_000 }, needle);
    const bound = 256 * KiB;
    const log = new EventLog(file, { memoryLimit: 1000, queryReadBytes: bound });
    for (const q of [
      { text: 'zzzz' },
      { sinceSeq: 0, text: 'zzzz' },
      { sinceSeq: 0, kinds: ['alert'] },
      { beforeSeq: 20_000, text: 'zzzz' },
    ]) {
      const { seqs, pages, costs } = drain(log, q);
      expect(Math.max(...costs)).toBeLessThanOrEqual(bound);
      expect(pages).toBeGreaterThan(bytes / bound / 2 - 1);
      expect(seqs).toEqual(q.kinds ? [] : [7]);
    }
    await log.close();
  });
});
