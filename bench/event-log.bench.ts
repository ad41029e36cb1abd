/**
 * The event log over big files: a 43 MB events.jsonl (~150k events, what a
 * busy server wrote before this log rotated) and a 512 MiB one (what the old
 * log could not open within the server's 512 MiB). For each: time and RSS
 * growth to open it, and the latency of the queries the REST layer makes
 * over it — `?sinceSeq=0` and a text search that matches nothing
 * (`?text=zzzz`), which before read and parsed the whole file per call. Each
 * file is measured in a fresh child process so RSS is the log's, not the
 * generator's. `--old <git-ref>` measures that ref's event-log.ts on the
 * 43 MB file too (e.g. --old 4bd2a61, the last whole-file version).
 * Prints and writes bench/baselines/event-log.txt; asserts nothing.
 * Run: pnpm exec tsx bench/event-log.bench.ts [--old <git-ref>]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { writeSyntheticEvents } from '../packages/telemetry/src/synthetic-events.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const BASELINE = join(ROOT, 'bench/baselines/event-log.txt');
const MiB = 1024 * 1024;
const RUNS = 15;
/** the old log re-reads the whole file per query: fewer runs keep the bench short */
const OLD_RUNS = 3;

interface Measured {
  openMs: number;
  rssMiB: number;
  openReadMiB: number;
  events: number;
  /** readKiB null: the old log does not count what it reads */
  queries: { name: string; firstMs: number; medianMs: number; maxMs: number; readKiB: number | null; returned: number; more: string }[];
  drain: { pages: number; totalMs: number; maxPageMs: number } | null;
}

/** child: open `file` with the EventLog exported by `module` and time the REST layer's queries */
async function measure(file: string, module: string, runs: number): Promise<Measured> {
  const { EventLog } = (await import(module)) as typeof import('../packages/telemetry/src/event-log.ts');
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let t0 = performance.now();
  const log = new EventLog(file);
  const openMs = performance.now() - t0;
  globalThis.gc?.();
  const rssMiB = (process.memoryUsage().rss - rss0) / MiB;
  const paged = typeof log.page === 'function';
  const bytesRead = () => (paged ? log.stats().bytesRead : 0);
  const openReadMiB = bytesRead() / MiB;
  const queries: Measured['queries'] = [];
  for (const [name, q] of [
    ['sinceSeq=0 limit=200', { sinceSeq: 0, limit: 200 }],
    ['text=zzzz limit=200', { text: 'zzzz', limit: 200 }],
    ['sinceSeq=0 text=zzzz', { sinceSeq: 0, text: 'zzzz', limit: 200 }],
    ['kinds=alert limit=200', { kinds: ['alert'], limit: 200 }],
  ] as const) {
    const times: number[] = [];
    let readKiB: number | null = paged ? 0 : null;
    let returned = 0;
    let more = '';
    for (let r = 0; r < runs; r++) {
      const b = bytesRead();
      t0 = performance.now();
      const page = paged ? log.page(q) : { events: log.query(q), more: null };
      times.push(performance.now() - t0);
      if (readKiB !== null) readKiB = Math.max(readKiB, (bytesRead() - b) / 1024);
      returned = page.events.length;
      more = page.more === null ? '-' : JSON.stringify(page.more);
    }
    const firstMs = times[0] ?? NaN;
    times.sort((a, b) => a - b);
    queries.push({ name, firstMs, medianMs: times[runs >> 1] ?? NaN, maxMs: times.at(-1) ?? NaN, readKiB, returned, more });
  }
  // a client following the cursor through the whole file, as the UI's "load older" would
  let drain: Measured['drain'] = null;
  if (paged) {
    let cursor: object | null = {};
    let pages = 0;
    let maxPageMs = 0;
    t0 = performance.now();
    while (cursor !== null) {
      const p0 = performance.now();
      const page = log.page({ text: 'zzzz', limit: 200, ...cursor });
      maxPageMs = Math.max(maxPageMs, performance.now() - p0);
      cursor = page.more;
      pages++;
    }
    drain = { pages, totalMs: performance.now() - t0, maxPageMs };
  }
  const events = log.seq;
  await log.close();
  return { openMs, rssMiB, openReadMiB, events, queries, drain };
}

function runChild(file: string, module: string, runs: number): Measured {
  const out = spawnSync(TSX, ['--expose-gc', SELF, '--measure', file, module, String(runs)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
  });
  if (out.status !== 0) throw new Error(`measuring ${file} failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as Measured;
}

function report(label: string, m: Measured): string[] {
  const lines = [
    `${label}: ${m.events.toLocaleString('en-US')} events | open ${m.openMs.toFixed(0)} ms, RSS +${m.rssMiB.toFixed(0)} MiB${m.openReadMiB > 0 ? `, read ${m.openReadMiB.toFixed(1)} MiB at open` : ' (reads the whole file)'}`,
    `  query                      first-ms  median-ms   max-ms  read-KiB/call  events  more`,
    ...m.queries.map(
      (q) =>
        `  ${q.name.padEnd(24)} ${q.firstMs.toFixed(1).padStart(9)} ${q.medianMs.toFixed(1).padStart(10)} ${q.maxMs.toFixed(1).padStart(8)} ${(q.readKiB === null ? 'n/a' : q.readKiB.toFixed(0)).padStart(14)} ${String(q.returned).padStart(7)}  ${q.more}`,
    ),
  ];
  if (m.drain)
    lines.push(
      `  text=zzzz followed to the end: ${m.drain.pages} pages, ${m.drain.totalMs.toFixed(0)} ms in all, longest page ${m.drain.maxPageMs.toFixed(1)} ms`,
    );
  return lines;
}

if (process.argv[2] === '--measure') {
  console.log(JSON.stringify(await measure(process.argv[3] ?? '', process.argv[4] ?? '', Number(process.argv[5] ?? RUNS))));
} else {
  const oldRef = process.argv[2] === '--old' ? process.argv[3] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-eventlog-bench-'));
  const current = pathToFileURL(join(ROOT, 'packages/telemetry/src/event-log.ts')).href;
  const out = [
    `# event-log bench — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Linux ${release()}, node ${process.version}`,
    `# ${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (a shared machine: read ratios, not single figures)`,
    `# Run: pnpm exec tsx bench/event-log.bench.ts${oldRef ? ` --old ${oldRef}` : ''}`,
    `# Default EventLog options (memoryLimit 20 000, queryReadBytes 4 MiB); each file opened in a fresh process, then`,
    `# each query called ${RUNS} times right after open: first-ms includes the scavenge that promotes the events just loaded`,
    `# (a one-off after open, tens of ms here) and cold JIT; median/max over all calls.`,
  ];
  console.log(out.join('\n'));
  try {
    for (const [label, bytes] of [
      ['43 MB', 43_000_000],
      ['512 MiB', 512 * MiB],
    ] as const) {
      const file = join(dir, `events-${bytes}.jsonl`);
      const t0 = performance.now();
      const { count } = writeSyntheticEvents(file, { bytes });
      console.log(`(generated ${label}: ${count} events in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const lines = report(`${label} file`, runChild(file, current, RUNS));
      if (oldRef && bytes < 100 * MiB) {
        // the whole-file version, from git, for a before/after on this machine
        const oldFile = join(dir, 'event-log-old.ts');
        writeFileSync(
          oldFile,
          execFileSync('git', ['show', `${oldRef}:packages/telemetry/src/event-log.ts`], { cwd: ROOT, encoding: 'utf8' }),
        );
        lines.push(
          ...report(
            `${label} file, event-log.ts at ${oldRef} (${OLD_RUNS} calls each)`,
            runChild(file, pathToFileURL(oldFile).href, OLD_RUNS),
          ),
        );
      }
      console.log(lines.join('\n'));
      out.push(...lines);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(BASELINE, `${out.join('\n')}\n`);
}
