/**
 * How long `vfioscope serve` takes from spawn to its first 200 on
 * /api/v1/health: the built CLI (apps/server/dist, what `pnpm vfioscope` and
 * `npm start` run), the same through apps/server/vfioscope.mjs (the
 * up-to-date check `pnpm vfioscope` does first, without pnpm's own start-up)
 * and the old path through tsx (TypeScript compiled on the fly; tsx's
 * transform cache is warm after its first run). Sim backend, "default"
 * scenario, a fresh data dir and a free port per run; the variants take turns
 * so that the machine's load hits them alike. Prints the median (and
 * min/max) of the runs; not a test. Builds apps/server/dist first if stale.
 * Run: pnpm exec tsx bench/serve-start.bench.ts [runs=7] [--tsx-runs N] [--only built,launcher,tsx]
 * Guest (QEMU TCG): bash e2e/kernel/run.sh servestart
 * Baseline: bench/baselines/serve-start.txt
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { freePort } from './support/built.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const DEADLINE_MS = 600_000; // a generous bound on a condition (TCG guest, tsx: minutes)

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
  ms: number[];
}
const variants: Variant[] = [
  {
    name: 'built',
    what: 'node apps/server/dist/vfioscope.js serve',
    cmd: [process.execPath, 'apps/server/dist/vfioscope.js'],
    runs,
    ms: [],
  },
  {
    name: 'launcher',
    what: 'node apps/server/vfioscope.mjs serve (pnpm vfioscope without pnpm)',
    cmd: [process.execPath, 'apps/server/vfioscope.mjs'],
    runs,
    ms: [],
  },
  {
    name: 'tsx',
    what: 'tsx apps/server/src/cli/main.ts serve (before the build)',
    cmd: [join(ROOT, 'node_modules/.bin/tsx'), 'apps/server/src/cli/main.ts'],
    runs: tsxRuns,
    ms: [],
  },
].filter((v) => !only || only.includes(v.name));

async function startOnce(v: Variant): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-serve-start-'));
  const t0 = performance.now();
  // its own process group: tsx runs the server in a child process
  const child = spawn(v.cmd[0]!, [...v.cmd.slice(1), 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
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
      if (ok) return performance.now() - t0;
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
  execFileSync(process.execPath, ['apps/server/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

const where = process.env.VFIOSCOPE_BENCH_WHERE ?? 'this machine';
console.log(`serve start-up: spawn to first 200 on /api/v1/health — sim "default", fresh data dir, free port; ${where}`);
console.log(
  `node ${process.version}, Linux ${release()}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? '?'}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`,
);
const most = Math.max(...variants.map((v) => v.runs));
for (let i = 0; i < most; i++) {
  for (const v of variants) if (i < v.runs) v.ms.push(await startOnce(v));
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2).padStart(7);
console.log(`variant    runs  median-s    min-s    max-s  all (s, in run order)`);
for (const v of variants) {
  console.log(
    `${v.name.padEnd(9)} ${String(v.ms.length).padStart(5)}  ${sec(median(v.ms))}  ${sec(Math.min(...v.ms))}  ${sec(Math.max(...v.ms))}  ${v.ms.map((m) => (m / 1000).toFixed(2)).join(' ')}`,
  );
}
for (const v of variants) console.log(`  ${v.name}: ${v.what}`);
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
