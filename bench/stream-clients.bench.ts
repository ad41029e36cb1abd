/**
 * How many WebSocket stream clients the server holds at 10 Hz, and the bytes
 * per tick that costs. The server runs here (sim, "default" scenario, a real
 * listening socket on 127.0.0.1:17050); the clients run in a separate process,
 * each subscribed like a dashboard (irq-rates, host, pinned, alerts, events).
 * A client count is "held" when every client still gets ≥ 95 % of the 10
 * deltas/s on irq-rates with no sequence gaps and the server's stream step
 * stays well under the 100 ms tick.
 *
 * Today's figures beside the new ones, in the same run: "full" is the
 * irq-rates delta as it was before the compact form (every changed vector's
 * whole row, bench-support/full-row-irq-rates.ts; the device page's rates
 * too), "compact" the protocol's (protocol stream/irq-rates-delta.ts). First the bytes per tick of each topic
 * (one client subscribed to every topic of the host, the busiest device's
 * page too), then the clients table, both forms taking turns at each client
 * count up to --full-up-to. Prints tables; not a test. The machine is shared
 * (2 cores), so compare the two forms within a run, and medians across runs.
 * Run: pnpm exec tsx bench/stream-clients.bench.ts [maxClients] [--full-up-to=N] [--bytes-only]
 * Baseline: bench/baselines/stream-clients.txt
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createSimHost } from '@vfioscope/host-sim';
import { listen } from '../apps/server/src/server.ts';
import { TokenStore } from '../apps/server/src/auth/tokens.ts';
import { useFullRowIrqRates } from '../apps/server/src/bench-support/full-row-irq-rates.ts';
import { rateView } from '../apps/server/src/views/telemetry-view.ts';
import { formatRate } from '../apps/web/src/format/units.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const CLIENT = join(ROOT, 'apps/server/src/bench-support/stream-load-client.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const PORT = 17050;
const TOKEN = 'bench-viewer-token';
const TOPICS = ['irq-rates', 'host', 'pinned', 'alerts', 'events'];
const SECONDS = 5;
const argv = process.argv.slice(2);
const maxClients = Number(argv.find((a) => /^\d+$/.test(a)) ?? 800);
const fullUpTo = Number(argv.find((a) => a.startsWith('--full-up-to='))?.split('=')[1] ?? 300);
const steps = [1, 100, 200, 300, 400, 500, 600, 800, 1000].filter((n) => n <= maxClients);
const FORMS = ['full', 'compact'] as const;
type Form = (typeof FORMS)[number];

interface ClientsResult {
  deltasPerClientPerSec: { min: number; median: number };
  gaps: number;
  snapshots: number;
  mbPerSec: number;
  topics: Record<string, { perSec: number; bytesPerDelta: number }>;
}

function runClients(n: number, topics: readonly string[], seconds = SECONDS): Promise<ClientsResult> {
  return new Promise((res, rej) => {
    const child = spawn(
      TSX,
      [CLIENT, `ws://127.0.0.1:${PORT}/api/v1/stream?token=${TOKEN}`, String(n), String(seconds), topics.join(',')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1)!)) : rej(new Error(`clients exited ${code}`))));
  });
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-bench-'));
const host = createSimHost({ scenario: 'default' });
const server = await listen({
  host,
  tokens: new TokenStore([{ token: TOKEN, role: 'viewer', id: 'bench' }]),
  dataDir,
  tickHz: 10,
  listenHost: '127.0.0.1',
  port: PORT,
});
const hub = server.app.vfio.hub;
const ctx = server.app.vfio.ctx;

console.log(`stream clients at 10 Hz — sim "default", topics ${TOPICS.join(',')}, ${SECONDS} s per step`);
console.log(`node ${process.version}, ${cpus().length} cpus, load ${load()}, ${new Date().toISOString()}`);

// ---- bytes per tick, per topic: one client on every topic of the host and the busiest device's page ----
await new Promise((r) => setTimeout(r, 1000)); // a few ticks of rates first
const perDevice = new Map<string, number>();
for (const r of ctx.telemetry.vectorRates()) perDevice.set(r.bdf, (perDevice.get(r.bdf) ?? 0) + 1);
const [busiest, busiestVectors] = [...perDevice].sort((a, b) => b[1] - a[1])[0]!;
const ALL = ['irq-rates', 'host', 'pinned', 'alerts', 'events', 'topology', `device:${busiest}`];
const bytes: Record<Form, ClientsResult['topics']> = { full: {}, compact: {} };
for (const form of FORMS) {
  useFullRowIrqRates(form === 'full');
  bytes[form] = (await runClients(1, ALL, 4)).topics;
}
// per tick of the stream as it ran (irq-rates changes every tick; a loaded box ticks below 10 Hz): a topic's deltas per tick × their size
const perTick = (form: Form, topic: string) => {
  const t = bytes[form][topic];
  const ticks = bytes[form]['irq-rates']?.perSec ?? 0;
  return t && ticks > 0 ? (t.perSec / ticks) * t.bytesPerDelta : 0;
};
console.log(
  `\nbytes per tick per topic, one client on all of them (${ctx.telemetry.vectorRates().length} vectors; ${busiest}: ${busiestVectors}); ticks/s full ${(bytes.full['irq-rates']?.perSec ?? 0).toFixed(1)}, compact ${(bytes.compact['irq-rates']?.perSec ?? 0).toFixed(1)}; load ${load()}`,
);
console.log('topic                  deltas/tick   full B/tick   compact B/tick   full/compact');
const total: Record<Form, number> = { full: 0, compact: 0 };
for (const topic of ALL) {
  const f = perTick('full', topic);
  const c = perTick('compact', topic);
  total.full += f;
  total.compact += c;
  console.log(
    [
      topic.slice(0, 24).padEnd(24),
      ((bytes.compact[topic]?.perSec ?? 0) / (bytes.compact['irq-rates']?.perSec ?? 1)).toFixed(2).padStart(9),
      f.toFixed(0).padStart(14),
      c.toFixed(0).padStart(17),
      (c > 0 ? `${(f / c).toFixed(1)}x` : '—').padStart(15),
    ].join(''),
  );
}
console.log(
  `${'all topics'.padEnd(24)}${''.padStart(9)}${total.full.toFixed(0).padStart(14)}${total.compact.toFixed(0).padStart(17)}${`${(total.full / total.compact).toFixed(1)}x`.padStart(15)}`,
);

// ---- why rates travel exact: rows rounded to what the UI shows them as change the sums it shows ----
const shownPrecision = (x: number) =>
  x < 10 ? Math.round(x * 10) / 10 : x < 1e4 ? Math.round(x) : x < 1e6 ? Math.round(x / 100) * 100 : Math.round(x / 1e4) * 1e4;
let sums = 0;
let sumsOff = 0;
for (let i = 0; i < 20; i++) {
  const exact = new Map<string, number>();
  const rounded = new Map<string, number>();
  for (const r of ctx.telemetry.vectorRates().map(rateView)) {
    exact.set(r.bdf, (exact.get(r.bdf) ?? 0) + r.rate);
    rounded.set(r.bdf, (rounded.get(r.bdf) ?? 0) + shownPrecision(r.rate));
  }
  for (const [bdf, e] of exact) {
    sums++;
    if (formatRate(e) !== formatRate(rounded.get(bdf)!)) sumsOff++;
  }
  await new Promise((res) => setTimeout(res, 200));
}
console.log(
  `rows rounded to the precision formatRate shows them at would show ${sumsOff} of ${sums} per-device rate sums (the interrupts view's device rows) differently (${((sumsOff / sums) * 100).toFixed(0)} %); the compact form sends rates exact`,
);

// ---- the clients table, both forms taking turns ----
if (argv.includes('--bytes-only')) steps.length = 0;
console.log(
  '\nclients  form     deltas/s/client(min/med)  gaps  snapshots  server-step-ms(avg/max)  server-cpu%  elu%  rss-MiB  MB/s-out  held  load-1m',
);
for (const n of steps) {
  for (const form of FORMS) {
    if (form === 'full' && n > fullUpTo) continue;
    useFullRowIrqRates(form === 'full');
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    let stepSum = 0;
    let stepMax = 0;
    let stepCount = 0;
    let lastTicks = hub.snapshotStats().ticks;
    const sampler = setInterval(() => {
      const s = hub.snapshotStats();
      if (s.ticks !== lastTicks) {
        lastTicks = s.ticks;
        stepSum += s.lastTickMs;
        stepMax = Math.max(stepMax, s.lastTickMs);
        stepCount++;
      }
    }, 20);
    const r = await runClients(n, TOPICS);
    clearInterval(sampler);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    // irq-rates alone sends 10 deltas/s; host/pinned/events/alerts add some when they change
    const held = r.deltasPerClientPerSec.min >= 9.5 && r.gaps === 0 && stepSum / Math.max(1, stepCount) < 50;
    console.log(
      [
        String(n).padStart(7),
        `  ${form.padEnd(7)}`,
        `${r.deltasPerClientPerSec.min.toFixed(1)}/${r.deltasPerClientPerSec.median.toFixed(1)}`.padStart(25),
        String(r.gaps).padStart(6),
        String(r.snapshots).padStart(11),
        `${(stepSum / Math.max(1, stepCount)).toFixed(2)}/${stepMax.toFixed(1)}`.padStart(25),
        (((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(0).padStart(13),
        (elu.utilization * 100).toFixed(0).padStart(6),
        (process.memoryUsage().rss / 2 ** 20).toFixed(0).padStart(9),
        r.mbPerSec.toFixed(2).padStart(10),
        held ? '   yes' : '    NO',
        loadavg()[0]!.toFixed(2).padStart(9),
      ].join(''),
    );
    await new Promise((res) => setTimeout(res, 500));
  }
}
useFullRowIrqRates(false);
await server.close();
rmSync(dataDir, { recursive: true, force: true });
