/**
 * Script time per second of each main view (issue 13 §4): topology, a device
 * page with 12 live charts (the NVMe 0000:4c:00.0, 33 MSI-X vectors of which
 * the 12 busiest are charted), DMA, interrupts and events on the sim's
 * "default" host at 10 Hz, in Chromium — main-thread script and busy time
 * (CDP Performance.getMetrics) per second of wall clock, over a window after
 * the view settled. Goal: script ≤ 20 % on each. And the device page in a
 * hidden tab (the page answers document.visibilityState 'hidden'): charts
 * should not redraw at all there.
 *
 * Variants side by side in one run (servers all up, measured in turns):
 *   now   this checkout (or --new-root with --new-web)
 *   base  --base-root with --base-web: a `git worktree` of an older commit with
 *         its server built (node apps/server/build.mjs) and its web built (vite build)
 *
 * Not a test: prints figures for bench/baselines/view-script-time.txt.
 * Run: pnpm exec tsx bench/view-script-time.bench.ts [--rounds 2] [--window 10000] [--new-root DIR --new-web DIR]
 *        [--base-root DIR --base-web DIR]
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { resolve } from 'node:path';
import { launchChromium } from '../e2e/support/chromium.ts';
import { ensureServerBuilt, ensureWebBuilt, ROOT } from './support/built.ts';
import { type Cost, measure, startVariant, stopVariants, type Target, type Variant } from './support/page-cost.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt('--rounds') ?? 2);
const WINDOW_MS = Number(opt('--window') ?? 10_000);
const SETTLE_MS = 3000;
const DEVICE = '0000:4c:00.0';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const TARGETS: Target[] = [
  { name: 'topology', hash: '#/topology', ready: '[data-testid^="group-"]' },
  { name: 'device (12 charts)', hash: `#/device/${DEVICE}`, ready: '[data-testid$="-chart"][data-points]' },
  { name: 'DMA', hash: '#/dma', ready: '[data-testid="dma-view"]' },
  { name: 'interrupts', hash: '#/interrupts', ready: '[data-testid="top-vectors"] tr[data-rate]' },
  { name: 'events', hash: '#/events', ready: '[data-testid="events-view"]' },
  { name: 'device, hidden tab', hash: `#/device/${DEVICE}`, ready: '[data-testid="device-view"]', hidden: true },
];

const newRoot = resolve(opt('--new-root') ?? ROOT);
const newWeb = resolve(opt('--new-web') ?? '/tmp/view-script-time-web');
if (newRoot === ROOT) {
  ensureServerBuilt();
  ensureWebBuilt(newWeb);
}
const mk = (name: string, root: string, web: string): Variant => ({ name, what: name, root, web, port: 0, server: null });
const variants: Variant[] = [mk('now', newRoot, newWeb)];
if (opt('--base-root') && opt('--base-web')) variants.unshift(mk('base', resolve(opt('--base-root')!), resolve(opt('--base-web')!)));

const rev = (root: string) => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
console.log(
  `# view script time: sim "default" at 10 Hz, Chromium 1440x900, ${ROUNDS} rounds of ${WINDOW_MS / 1000} s per view and variant`,
);
for (const v of variants) console.log(`# ${v.name} = ${v.root} at ${rev(v.root)}, web ${v.web}`);
console.log(
  `# node ${process.version}, Linux ${release()}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? '?'}; ${new Date().toISOString()}`,
);
console.log(`# load ${load()} at start`);

const results = new Map<string, Cost[]>();
await Promise.all(variants.map((v) => startVariant(v, 'default')));
const browser = await launchChromium();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of TARGETS) {
      for (const v of variants) {
        const c = await measure(browser, v, t, SETTLE_MS, WINDOW_MS);
        const k = `${t.name}|${v.name}`;
        results.set(k, [...(results.get(k) ?? []), c]);
        console.log(
          `# round ${round + 1} ${t.name.padEnd(20)} ${v.name.padEnd(5)} script ${(c.script / 10).toFixed(1)} %, busy ${(c.busy / 10).toFixed(1)} %, ` +
            `long tasks ${c.longTasks} (by CPU ${c.cpuLongTasks}), stream ${c.msgs.toFixed(1)} msg/s; load ${load()}`,
        );
      }
    }
  }
} finally {
  await browser.close();
  stopVariants(variants);
}

// the mean: with two rounds a median is the smaller one
const med = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `\nmain-thread time, % of wall clock (mean of ${ROUNDS} rounds); long = tasks that used ≥ 50 ms of main-thread CPU (trace), summed over the rounds; ` +
    "wall = the main thread's tasks by the wall clock (with the waits for a core); stream messages received per second:",
);
console.log(
  `${'view'.padEnd(22)}${variants.map((v) => `${v.name} script  busy  wall  long  msg/s`.padStart(37)).join('')}   goal script ≤ 20 %`,
);
for (const t of TARGETS) {
  const cols = variants.map((v) => {
    const cs = results.get(`${t.name}|${v.name}`) ?? [];
    const s = med(cs.map((c) => c.script)) / 10;
    const b = med(cs.map((c) => c.busy)) / 10;
    const l = cs.reduce((n, c) => n + c.cpuLongTasks, 0);
    const m = med(cs.map((c) => c.msgs));
    const w = med(cs.map((c) => c.wallBusy)) / 10;
    return `${s.toFixed(1).padStart(15)}${b.toFixed(1).padStart(6)}${w.toFixed(1).padStart(6)}${String(l).padStart(6)}${m.toFixed(1).padStart(7)}`;
  });
  const now = med((results.get(`${t.name}|now`) ?? []).map((c) => c.script)) / 10;
  console.log(`${t.name.padEnd(22)}${cols.join('   ')}   ${now <= 20 ? 'met' : 'NOT met'}`);
}
console.log(`# load ${load()} at end`);
