/**
 * How many WebSocket stream clients the server holds at 10 Hz. The server
 * runs here (sim, "default" scenario, a real listening socket on
 * 127.0.0.1:17050); the clients run in a separate process, each subscribed
 * like a dashboard (irq-rates, host, pinned, alerts, events). A client count
 * is "held" when every client still gets ≥ 95 % of the 10 deltas/s on
 * irq-rates with no sequence gaps and the server's stream step stays well
 * under the 100 ms tick. Prints a table; not a test. The machine is shared
 * (2 cores), so compare medians across runs, not single numbers.
 * Run: pnpm exec tsx bench/stream-clients.bench.ts [maxClients]
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

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const CLIENT = join(ROOT, 'apps/server/src/bench-support/stream-load-client.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const PORT = 17050;
const TOKEN = 'bench-viewer-token';
const TOPICS = ['irq-rates', 'host', 'pinned', 'alerts', 'events'];
const SECONDS = 5;
const maxClients = Number(process.argv[2] ?? 400);
const steps = [1, 10, 25, 50, 100, 200, 400, 800].filter((n) => n <= maxClients);

function runClients(n: number): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const child = spawn(
      TSX,
      [CLIENT, `ws://127.0.0.1:${PORT}/api/v1/stream?token=${TOKEN}`, String(n), String(SECONDS), TOPICS.join(',')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1)!)) : rej(new Error(`clients exited ${code}`))));
  });
}

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

console.log(`stream clients at 10 Hz — sim "default", topics ${TOPICS.join(',')}, ${SECONDS} s per step`);
console.log(
  `node ${process.version}, ${cpus().length} cpus, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`,
);
console.log('clients  deltas/s/client(min/med)  gaps  snapshots  server-step-ms(avg/max)  server-cpu%  elu%  rss-MiB  MB/s-out  held');
for (const n of steps) {
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
  const r = (await runClients(n)) as {
    deltasPerClientPerSec: { min: number; median: number };
    gaps: number;
    snapshots: number;
    mbPerSec: number;
  };
  clearInterval(sampler);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  // irq-rates alone sends 10 deltas/s; host/pinned/events/alerts add some when they change
  const held = r.deltasPerClientPerSec.min >= 9.5 && r.gaps === 0 && stepSum / Math.max(1, stepCount) < 50;
  console.log(
    [
      String(n).padStart(7),
      `${r.deltasPerClientPerSec.min.toFixed(1)}/${r.deltasPerClientPerSec.median.toFixed(1)}`.padStart(25),
      String(r.gaps).padStart(5),
      String(r.snapshots).padStart(10),
      `${(stepSum / Math.max(1, stepCount)).toFixed(2)}/${stepMax.toFixed(1)}`.padStart(24),
      (((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(0).padStart(12),
      (elu.utilization * 100).toFixed(0).padStart(5),
      (process.memoryUsage().rss / 2 ** 20).toFixed(0).padStart(8),
      r.mbPerSec.toFixed(2).padStart(9),
      held ? '  yes' : '  NO',
    ].join(''),
  );
  await new Promise((res) => setTimeout(res, 500));
}
await server.close();
rmSync(dataDir, { recursive: true, force: true });
