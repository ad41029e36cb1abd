/**
 * How smoothly the DMA view's virtualised mapping table scrolls when a
 * container is full: 65,535 mappings (type1's default dma_entry_limit). The
 * server runs here (sim, "default" scenario with RLIMIT_MEMLOCK raised so
 * 65,535 pinned 4 KiB pages fit, real socket on 127.0.0.1:17180, the built
 * web UI); the mappings are made through the DriveSession directly, because
 * 65,535 HTTP requests would take minutes and measure the API, not the UI.
 * Chromium (Debian's, as the e2e tests launch it) opens the DMA view and
 * scrolls the table body one step per animation frame; the gaps between
 * requestAnimationFrame callbacks are the frame times. 16.7 ms is a perfect
 * 60 Hz frame. The live stream keeps running meanwhile (10 Hz), as for a user.
 * Prints a table; not a test. The machine is shared (2 cores): compare medians.
 * Run: pnpm exec tsx bench/ui-dma-scroll.bench.ts [mappings=65535] [tick-hz=10]
 * Baseline: bench/baselines/ui-dma-scroll.txt
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimHost, loadScenario } from '@vfioscope/host-sim';
import { listen } from '../apps/server/src/server.ts';
import { TokenStore } from '../apps/server/src/auth/tokens.ts';
import { launchChromium } from '../e2e/support/chromium.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const WEB_DIR = join(ROOT, 'apps/web/dist');
const PORT = 17180;
const TOKEN = 'bench-operator-token';
/** 65,535 by default; pass a smaller count to compare (a virtualised table's frame time should not depend on it) */
const MAPPINGS = Number(process.argv[2] ?? 65535);
const TICK_HZ = Number(process.argv[3] ?? 10);
const PAGE = 4096n;

interface Pass {
  name: string;
  /** pixels added to scrollTop each frame; 0 = jump to an evenly spread position each frame */
  step: number;
  frames: number;
}
const PASSES: Pass[] = [
  { name: 'wheel (90 px = 3 rows/frame)', step: 90, frames: 600 },
  { name: 'fling (1,200 px = 40 rows/frame)', step: 1200, frames: 600 },
  { name: 'scrollbar drag (jump across all rows)', step: 0, frames: 300 },
];

if (!existsSync(join(WEB_DIR, 'index.html')))
  execFileSync('pnpm', ['--filter', '@vfioscope/web', 'build'], { cwd: ROOT, stdio: 'inherit' });

const scenario = loadScenario('default');
scenario.memlockLimit = 1024 * 1024 * 1024;
const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-bench-'));
const server = await listen({
  host: createSimHost({ scenario }),
  tokens: new TokenStore([{ token: TOKEN, role: 'operator', id: 'bench' }]),
  dataDir,
  tickHz: TICK_HZ,
  listenHost: '127.0.0.1',
  port: PORT,
  webDir: WEB_DIR,
});
const browser = await launchChromium();

/** the server's stream step (all topics, this table's diff included) while a pass runs: it shares the 2 cores with Chromium */
function sampleServerSteps(): () => { avg: number; max: number } {
  const hub = server.app.vfio.hub;
  let last = hub.snapshotStats().ticks;
  let sum = 0;
  let max = 0;
  let n = 0;
  const timer = setInterval(() => {
    const s = hub.snapshotStats();
    if (s.ticks === last) return;
    last = s.ticks;
    sum += s.lastTickMs;
    max = Math.max(max, s.lastTickMs);
    n++;
  }, 20);
  return () => {
    clearInterval(timer);
    return { avg: n ? sum / n : 0, max };
  };
}

function stats(deltas: number[]) {
  const s = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s.at(-1)!, over50: s.filter((d) => d > 50).length };
}

/** page script (a string: bench/ is typechecked without the DOM lib): scroll per frame, return the rAF deltas */
function scrollScript(p: Pass): string {
  return `(async () => {
    const el = document.querySelector('[data-testid="mapping-scroll"]');
    el.scrollTop = 0;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    await frame(); await frame();
    const span = el.scrollHeight - el.clientHeight;
    const deltas = [];
    let prev = await frame();
    for (let i = 0; i < ${p.frames}; i++) {
      if (${p.step} > 0) el.scrollTop = (el.scrollTop + ${p.step}) % span;
      else el.scrollTop = Math.round(((i * 7919) % ${p.frames}) / ${p.frames} * span);
      const t = await frame();
      deltas.push(t - prev);
      prev = t;
    }
    return { deltas, rowsInDom: el.querySelectorAll('[role="row"]').length };
  })()`;
}

/** page script: click a sort header, time until the frame after React re-rendered the table */
function sortScript(column: string): string {
  return `(async () => {
    const t0 = performance.now();
    document.querySelector('[data-testid="sort-${column}"]').click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  })()`;
}

try {
  const session = server.app.vfio.ctx.session;
  const host = server.app.vfio.ctx.host;
  const topo = await host.topology();
  const held = new Set((await host.owners()).map((o) => o.group));
  const driver = new Map(topo.devices.map((d) => [d.bdf, d.driver]));
  const group = topo.groups.find((g) => g.viable && !held.has(g.id) && g.devices.every((b) => driver.get(b) === 'vfio-pci'));
  if (!group) throw new Error('no free vfio-pci group in the scenario');
  const { container } = await session.openGroup(group.id);
  const t0 = performance.now();
  for (let i = 0; i < MAPPINGS; i++) {
    // every 64th mapping is 4 pages, so sorting by size moves rows
    await session.mapDma(container, {
      iova: 0x100000n + BigInt(i) * 4n * PAGE,
      size: i % 64 === 31 ? 4n * PAGE : PAGE,
      read: true,
      write: true,
    });
  }
  const fillMs = performance.now() - t0;

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const t1 = performance.now();
  await page.goto(`${server.origin}/?token=${TOKEN}#/dma/${container}`);
  await page.waitForSelector(`[data-testid="mapping-table"][data-rows="${MAPPINGS}"]`, { timeout: 120_000 });
  const loadMs = performance.now() - t1;

  console.log(
    `DMA table scroll — ${MAPPINGS.toLocaleString('en-US')} mappings in container ${container} (group ${group.id}), sim "default" at ${TICK_HZ} Hz, Chromium headless 1280×800`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} cpus, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  );
  console.log(
    `fill ${MAPPINGS} mappings via DriveSession: ${(fillMs / 1000).toFixed(1)} s; page load to full table: ${(loadMs / 1000).toFixed(1)} s`,
  );
  console.log(
    'pass                                     frames  median-ms  p95-ms  max-ms  frames>50ms  rows-in-DOM  server-step-ms(avg/max)',
  );
  for (const p of PASSES) {
    const stop = sampleServerSteps();
    const r = (await page.evaluate(scrollScript(p))) as { deltas: number[]; rowsInDom: number };
    const step = stop();
    const s = stats(r.deltas);
    console.log(
      `${p.name.padEnd(40)} ${String(p.frames).padStart(6)} ${s.median.toFixed(1).padStart(10)} ${s.p95.toFixed(1).padStart(7)} ${s.max.toFixed(1).padStart(7)} ${String(s.over50).padStart(12)} ${String(r.rowsInDom).padStart(12)}  ${`${step.avg.toFixed(1)}/${step.max.toFixed(1)}`.padStart(23)}`,
    );
  }
  for (const column of ['size', 'size', 'iova']) {
    const ms = (await page.evaluate(sortScript(column))) as number;
    const dir = await page.getAttribute(`[data-testid="sort-${column}"]`, 'aria-sort');
    console.log(`sort by ${column} (${dir}) of ${MAPPINGS} rows, click to next frame: ${ms.toFixed(0)} ms`);
  }
  await page.close();
  await session.unmapDma(container, { all: true });
  await session.closeGroup(group.id);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
