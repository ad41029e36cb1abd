/**
 * How long `vfioscope serve` takes from spawn to its first 200 on
 * /api/v1/health (the old figure), and on to the first stream snapshot: right
 * after the 200 a WebSocket client opens /api/v1/stream with a viewer token,
 * subscribes to topology and irq-rates as the dashboard does, and the clock
 * stops at the second of the two snapshots (then, beside it, at the first
 * irq-rates delta: the first tick's live data). The built CLI (apps/server/dist, what `pnpm vfioscope` and
 * `npm start` run), the same through apps/server/vfioscope.mjs (the
 * up-to-date check `pnpm vfioscope` does first, without pnpm's own start-up)
 * and the old path through tsx (TypeScript compiled on the fly; tsx's
 * transform cache is warm after its first run). Sim backend, "default"
 * scenario, a fresh data dir with a token file and a free port per run; the variants take turns
 * so that the machine's load hits them alike. Prints the median (and
 * min/max) of the runs; not a test. Builds apps/server/dist first if stale.
 * Run: pnpm exec tsx bench/serve-start.bench.ts [runs=7] [--tsx-runs N] [--only built,launcher,tsx]
 * Guest (QEMU TCG): bash e2e/kernel/run.sh servestart
 * Baseline: bench/baselines/serve-start.txt
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { freePort } from './support/built.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const DEADLINE_MS = 600_000; // a generous bound on a condition (TCG guest, tsx: minutes)
// the stream's client library is the server's own dependency
const WebSocket = createRequire(join(ROOT, 'apps/server/package.json'))('ws') as typeof import('ws').WebSocket;
const TOKEN = 'bench-serve-start-viewer-token-0123456789';
/** what a dashboard's first view subscribes to first: the host's shape and its interrupt rates */
const TOPICS = ['topology', 'irq-rates'];

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const only = opt('--only')?.split(',');
const tsxRunsOpt = opt('--tsx-runs');
const runs = Number(args[0] ?? 7);
const tsxRuns = Number(tsxRunsOpt ?? runs);

interface Variant {
  name: string;
  what: string;
  cmd: string[];
  runs: number;
  /** spawn → first 200 on /health */
  ms: number[];
  /** spawn → the last of the TOPICS' first snapshots */
  snapMs: number[];
  /** spawn → the first irq-rates delta */
  deltaMs: number[];
}
const variants: Variant[] = [
  {
    name: 'built',
    what: 'node apps/server/dist/vfioscope.js serve',
    cmd: [process.execPath, 'apps/server/dist/vfioscope.js'],
    runs,
    ms: [],
    snapMs: [],
    deltaMs: [],
  },
  {
    name: 'launcher',
    what: 'node apps/server/vfioscope.mjs serve (pnpm vfioscope without pnpm)',
    cmd: [process.execPath, 'apps/server/vfioscope.mjs'],
    runs,
    ms: [],
    snapMs: [],
    deltaMs: [],
  },
  {
    name: 'tsx',
    what: 'tsx apps/server/src/cli/main.ts serve (before the build)',
    cmd: [join(ROOT, 'node_modules/.bin/tsx'), 'apps/server/src/cli/main.ts'],
    runs: tsxRuns,
    ms: [],
    snapMs: [],
    deltaMs: [],
  },
].filter((v) => !only || only.includes(v.name));

/**
 * Open the stream as the web app does and resolve with the times (on
 * performance.now) of the last first-snapshot of `topics` and of the first
 * irq-rates delta. A binary frame counts as a delta: the irq-rates wire
 * encoding may leave JSON.
 */
function firstStream(port: number, topics: string[], deadline: number): Promise<{ snapshot: number; delta: number }> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream?token=${TOKEN}`);
    const waiting = new Set(topics);
    let snapshot = 0;
    const timer = setTimeout(() => done(new Error(`no snapshot of ${[...waiting].join(',')} within the deadline`)), deadline);
    const done = (err: Error | null, delta = 0) => {
      clearTimeout(timer);
      ws.terminate();
      if (err) rej(err);
      else res({ snapshot, delta });
    };
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics })));
    ws.on('error', (e) => done(e));
    ws.on('message', (raw, isBinary) => {
      const now = performance.now();
      if (isBinary) {
        if (waiting.size === 0) done(null, now);
        return;
      }
      const m = JSON.parse(String(raw)) as { type?: string; topic?: string; error?: { message?: string } };
      if (m.type === 'error') done(new Error(`stream error on ${m.topic}: ${m.error?.message}`));
      else if (m.type === 'snapshot' && m.topic && waiting.delete(m.topic) && waiting.size === 0) snapshot = now;
      else if (m.type === 'delta' && m.topic === 'irq-rates' && waiting.size === 0) done(null, now);
    });
  });
}

async function startOnce(v: Variant): Promise<void> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-start-'));
  const tokens = join(dataDir, 'tokens');
  writeFileSync(tokens, `viewer:${TOKEN}\n`);
  const t0 = performance.now();
  // its own process group: tsx runs the server in a child process
  const serve = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--token-file', tokens];
  const child = spawn(v.cmd[0]!, [...v.cmd.slice(1), ...serve], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited: number | null | undefined;
  const gone = new Promise<void>((r) =>
    child.once('exit', (code) => {
      exited = code;
      r();
    }),
  );
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) {
        v.ms.push(performance.now() - t0);
        const s = await firstStream(port, TOPICS, DEADLINE_MS);
        v.snapMs.push(s.snapshot - t0);
        v.deltaMs.push(s.delta - t0);
        return;
      }
      if (exited !== undefined) throw new Error(`${v.name}: the server exited (${exited}) before answering: ${stderr}`);
      if (performance.now() - t0 > DEADLINE_MS) throw new Error(`${v.name}: no 200 on /health within ${DEADLINE_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await gone;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

try {
  execFileSync(process.execPath, ['apps/server/build.mjs', '--check'], { cwd: ROOT });
} catch {
  console.log('(building apps/server/dist first)');
  try {
    execFileSync(process.execPath, ['apps/server/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    // the guest sees the checkout read-only: run.sh built dist on the host, and a source edited since
    // (others work in the same checkout) makes it "stale" without changing what starts
    console.log('(cannot build here — a read-only checkout? — measuring apps/server/dist as it is)');
  }
}

const where = process.env.VFIOSCOPE_BENCH_WHERE ?? 'this machine';
console.log(
  `serve start-up: spawn to first 200 on /api/v1/health, then to the first stream snapshots (${TOPICS.join(' + ')}) and the first irq-rates delta — sim "default", fresh data dir, free port; ${where}`,
);
console.log(
  `node ${process.version}, Linux ${release()}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? '?'}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`,
);
const most = Math.max(...variants.map((v) => v.runs));
const failed = new Map<string, string>();
for (let i = 0; i < most; i++) {
  for (const v of variants) {
    if (i >= v.runs || failed.has(v.name)) continue;
    try {
      await startOnce(v);
      // each run as it ends: a guest killed at its deadline still leaves these in its log
      const s = (xs: number[]) => ((xs.at(-1) ?? 0) / 1000).toFixed(2);
      console.log(`  ${v.name} run ${i + 1}: /health ${s(v.ms)} s, snapshot ${s(v.snapMs)} s, 1st delta ${s(v.deltaMs)} s`);
    } catch (e) {
      // a variant past the deadline (tsx in a loaded TCG guest) ends its own turns, not the others'
      failed.set(v.name, `run ${i + 1}: ${(e as Error).message}`);
      console.log(`  ${v.name} run ${i + 1} FAILED: ${(e as Error).message}`);
    }
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2).padStart(7);
const row = (name: string, ms: number[]) =>
  ms.length === 0
    ? `${name.padEnd(20)}     0  (no run finished)`
    : `${name.padEnd(20)} ${String(ms.length).padStart(5)}  ${sec(median(ms))}  ${sec(Math.min(...ms))}  ${sec(Math.max(...ms))}  ${ms.map((m) => (m / 1000).toFixed(2)).join(' ')}`;
console.log(`variant / until       runs  median-s    min-s    max-s  all (s, in run order)`);
for (const v of variants) {
  console.log(row(`${v.name} /health`, v.ms));
  console.log(row(`${v.name} snapshot`, v.snapMs));
  console.log(row(`${v.name} 1st delta`, v.deltaMs));
  // what the stream adds after /health, run by run (the load moves both alike)
  console.log(
    row(
      `${v.name} snap−health`,
      v.snapMs.map((m, i) => m - v.ms[i]!),
    ),
  );
}
for (const v of variants) console.log(`  ${v.name}: ${v.what}${failed.has(v.name) ? ` — FAILED ${failed.get(v.name)}` : ''}`);
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
