/**
 * A page of many live charts (issue 13 §3): the interrupts view of the sim's
 * "storm" host at 10 Hz with its chart grid at "top 64" — 64 per-vector
 * charts of the busiest vectors, chosen the way an operator does (the grid's
 * "top 64" button). The storm host wires 18 vectors by itself (the VM's VF,
 * its MSI-X vector 0 storming, and the storming INTx card); the bench opens
 * the other three VFs' groups and enables their 17 MSI-X vectors each over
 * REST, as an operator would from the device page: 69 vectors fire. In Chromium, over a window after the page has
 * settled: long tasks ≥ 50 ms (goal 0), main-thread busy share (goal ≤ 25 %),
 * script share, frame time p50/p95 (the gaps between animation frames).
 *
 * Variants, side by side in one run (servers all up, measured in turns):
 *   now    this checkout (or --new-root) and its web build: SVG path charts
 *          redrawn at 2 Hz in 5 staggered slots, each in a tick's frame
 *   naive  the same grid drawn with the device page's Recharts chart on every
 *          tick (--naive-web: a build with usePaced returning its input and
 *          VectorCharts' cells using RateChart with a fresh copy of the series;
 *          its server from --naive-root, default the same as now's)
 *   base   the interrupts view before the grid (--base-root, --base-web: a
 *          worktree of an older commit), for what the rest of the page costs
 *   before any earlier web build of this view (--before-web DIR, its server
 *          from --before-root, default now's): a before/after in one run
 * A variant whose build is not given is left out.
 *
 * Not a test: prints figures for bench/baselines/many-charts.txt.
 * Run: pnpm exec tsx bench/many-charts.bench.ts [--rounds 3] [--window 15000] [--new-root DIR --new-web DIR]
 *        [--naive-root DIR --naive-web DIR] [--base-root DIR --base-web DIR] [--before-web DIR [--before-root DIR]]
 * The split of the main thread's time by trace event is printed per variant (where the time goes).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { resolve } from 'node:path';
import { launchChromium } from '../e2e/support/chromium.ts';
import { ensureServerBuilt, ensureWebBuilt, ROOT } from './support/built.ts';
import { type ApiTransport, createApiClient } from '../packages/protocol/src/index.ts';
import { type Cost, measure, pct, startVariant, stopVariants, type Target, type Variant, TOKEN } from './support/page-cost.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt('--rounds') ?? 3);
const WINDOW_MS = Number(opt('--window') ?? 15_000);
const SETTLE_MS = 3000;
const CHARTS = 64;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const newRoot = resolve(opt('--new-root') ?? ROOT);
const newWeb = resolve(opt('--new-web') ?? '/tmp/many-charts-web');
if (newRoot === ROOT) {
  ensureServerBuilt();
  ensureWebBuilt(newWeb);
}
const mk = (name: string, what: string, root: string, web: string): Variant => ({ name, what, root, web, port: 0, server: null });
const variants: Variant[] = [mk('now', 'SVG charts, 2 Hz in tick frames', newRoot, newWeb)];
// an earlier build of this view, measured in turns with this one: a before/after on a machine whose load changes
if (opt('--before-web'))
  variants.push(mk('before', 'an earlier build (--before-web)', resolve(opt('--before-root') ?? newRoot), resolve(opt('--before-web')!)));
if (opt('--naive-web'))
  variants.push(mk('naive', 'Recharts, every tick', resolve(opt('--naive-root') ?? newRoot), resolve(opt('--naive-web')!)));
if (opt('--base-root') && opt('--base-web'))
  variants.push(mk('base', 'before the grid (table only)', resolve(opt('--base-root')!), resolve(opt('--base-web')!)));

const grid: Target = {
  name: 'interrupts, top 64 charts',
  hash: '#/interrupts',
  ready: '[data-testid="top-vectors"] tr[data-rate]',
  async prepare(page) {
    const button = page.locator(`[data-testid="vector-charts-${CHARTS}"]`);
    // the base build has no grid: its page is measured as it is
    if (
      await button.waitFor({ timeout: 60_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await button.click({ timeout: 120_000 });
      await page.waitForFunction(
        (n: number) =>
          (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(
            '[data-testid^="vchart-"][data-testid$="-chart"][data-points]',
          ).length >= n,
        CHARTS,
        { timeout: 60_000 },
      );
    }
  },
};

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: newRoot }).toString().trim();
console.log(`# many charts: sim "storm" at 10 Hz, #/interrupts with the chart grid at top ${CHARTS}, Chromium 1440x900`);
console.log(`# now = ${newRoot} at ${commit}; ${ROUNDS} rounds of ${WINDOW_MS / 1000} s per variant after ${SETTLE_MS / 1000} s settling`);
console.log(
  `# node ${process.version}, Linux ${release()}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? '?'}; ${new Date().toISOString()}`,
);
console.log(`# load ${load()} at start`);

/**
 * The storm host's other three VFs are vfio-pci with nobody's eventfds: open their groups and enable MSI-X
 * (VFIO_DEVICE_SET_IRQS trigger, all 17 vectors), as an operator does from the device page, so 69 vectors fire.
 */
async function wireVfs(v: Variant): Promise<void> {
  const base = `http://127.0.0.1:${v.port}`;
  const transport: ApiTransport = {
    async send(req) {
      const res = await fetch(`${base}${req.url}`, {
        method: req.method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: req.body === undefined ? null : JSON.stringify(req.body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${v.name}: ${req.method} ${req.url}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
    mismatch: (req, message) => new Error(`${req.method} ${req.url}: ${message}`),
  };
  const api = createApiClient(transport);
  const topo = await api.call('topology');
  for (const fn of [1, 2, 3]) {
    const bdf = `0000:03:00.${fn}`;
    const group = topo.devices.find((d) => d.bdf === bdf)?.iommuGroup;
    if (group === undefined || group === null) throw new Error(`no VF ${bdf} in the storm scenario`);
    await api.call('groupOpen', { params: { group }, body: {} });
    await api.call('deviceIrq', { params: { bdf, index: 'MSIX' }, body: { action: 'trigger', start: 0, count: 17 } });
  }
}

const results = new Map<string, Cost[]>();
await Promise.all(variants.map((v) => startVariant(v, 'storm')));
for (const v of variants) await wireVfs(v);
// the storms start 3–5 s after the server: let them, and the first ranking, happen
await new Promise((r) => setTimeout(r, 6000));
const browser = await launchChromium();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const c = await measure(browser, v, grid, SETTLE_MS, WINDOW_MS);
      results.set(v.name, [...(results.get(v.name) ?? []), c]);
      console.log(
        `# round ${round + 1} ${v.name.padEnd(6)} busy ${(c.busy / 10).toFixed(1)} %, script ${(c.script / 10).toFixed(1)} %, ` +
          `long tasks ${c.longTasks} (max ${c.longestTask.toFixed(0)} ms; by CPU ${c.cpuLongTasks}, max ${c.longestTaskCpu.toFixed(0)} ms), frames p95 ${c.frameP95.toFixed(1)} ms, ` +
          `stream ${c.msgs.toFixed(1)} msg/s; load ${load()}`,
      );
    }
  }
} finally {
  await browser.close();
  stopVariants(variants);
}

const med = (xs: number[]) => pct(xs, 50);
const col = (x: number, w: number, d = 1) => x.toFixed(d).padStart(w);
console.log(
  `\nper variant, the median of ${ROUNDS} rounds; main thread in % of wall clock: its CPU (busy, script, layout, style) and its tasks' wall time (wall busy: with the waits for a core on a loaded machine); long tasks ≥ 50 ms summed over the rounds, by the wall clock (PerformanceObserver) and by CPU (trace); frame gaps in ms; stream messages received per second:`,
);
console.log(
  `${'variant'.padEnd(8)}${'what'.padEnd(34)}  busy  script  layout  style  wall busy  long wall  (max ms)  long CPU  (max ms)  frame p50  p95  msg/s`,
);
for (const v of variants) {
  const cs = results.get(v.name) ?? [];
  const m = (f: (c: Cost) => number) => med(cs.map(f));
  const n = (f: (c: Cost) => number) => cs.reduce((x, c) => x + f(c), 0);
  const mx = (f: (c: Cost) => number) => Math.max(...cs.map(f));
  console.log(
    `${v.name.padEnd(8)}${v.what.padEnd(34)}${col(m((c) => c.busy) / 10, 6)}${col(m((c) => c.script) / 10, 8)}${col(m((c) => c.layout) / 10, 8)}` +
      `${col(m((c) => c.style) / 10, 7)}${col(m((c) => c.wallBusy) / 10, 11)}${col(
        n((c) => c.longTasks),
        11,
        0,
      )}${col(
        mx((c) => c.longestTask),
        10,
        0,
      )}` +
      `${col(
        n((c) => c.cpuLongTasks),
        10,
        0,
      )}${col(
        mx((c) => c.longestTaskCpu),
        10,
        0,
      )}${col(
        m((c) => c.frameP50),
        11,
      )}${col(
        m((c) => c.frameP95),
        6,
        0,
      )}` +
      `${col(
        m((c) => c.msgs),
        7,
      )}`,
  );
}
console.log(
  `\nwhere the main thread's time goes: self time by trace event (its CPU less that of the events inside it), % of a core, median of ${ROUNDS} rounds; RunTask = a task's own time outside any named event:`,
);
for (const v of variants) {
  const cs = results.get(v.name) ?? [];
  const names = new Set(cs.flatMap((c) => [...c.split.keys()]));
  const rows = [...names]
    .map((name) => ({ name, pct: med(cs.map((c) => c.split.get(name) ?? 0)) / 10 }))
    .filter((r) => r.pct >= 0.05)
    .sort((a, b) => b.pct - a.pct);
  const total = med(cs.map((c) => [...c.split.values()].reduce((x, y) => x + y, 0))) / 10;
  console.log(`${v.name.padEnd(8)}traced ${total.toFixed(1)} %: ${rows.map((r) => `${r.name} ${r.pct.toFixed(1)}`).join(', ')}`);
}
const now = results.get('now') ?? [];
const busy = med(now.map((c) => c.busy)) / 10;
const long = now.reduce((x, c) => x + c.longTasks, 0);
const cpuLong = now.reduce((x, c) => x + c.cpuLongTasks, 0);
console.log(
  `goal busy ≤ 25 %: ${busy.toFixed(1)} % of a core — ${busy <= 25 ? 'met' : 'NOT met'}; goal 0 long tasks after load: ` +
    `${cpuLong} by CPU (${cpuLong === 0 ? 'met' : 'NOT met'}), ${long} by the wall clock (${long === 0 ? 'met' : 'NOT met'} at this load)`,
);
console.log(`# load ${load()} at end`);
