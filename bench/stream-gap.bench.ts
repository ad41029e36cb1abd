/**
 * Does the stream keep ticking while a large DMA map pins its pages? The
 * built server (10 Hz) opens an edu's group, a WebSocket client subscribes to
 * irq-rates and pings the server every 20 ms, and one POST maps (then one
 * DELETE unmaps) SIZE MiB. Printed per variant: how long the map and unmap
 * took, and the longest gap between heartbeats answering the pings (the event
 * loop) and between irq-rates updates (the stream's ticks) in an idle window
 * before, during the map and during the unmap. Variants, in one run: the blocking ioctls on the event loop
 * (VFIOSCOPE_IOCTL_THREAD=0, before #11) and off it (the default). Not a test.
 * Run in the guest (root, memlock raised): bash e2e/kernel/run.sh streamgap
 * On the sim (maps do not block there; a check of the bench itself):
 *   pnpm exec tsx bench/stream-gap.bench.ts --sim edu [size-mib]
 * Baseline: bench/baselines/stream-gap.txt
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SERVER = join(ROOT, 'apps/server/dist/vfioscope.js');
// the stream's client library is the server's own dependency
const WebSocket = createRequire(join(ROOT, 'apps/server/package.json'))('ws') as typeof import('ws').WebSocket;
const PORT = 17061;
const TOKEN = 'bench-stream-gap-operator-token-0123456789';
const BASE = `http://127.0.0.1:${PORT}/api/v1`;
const PING_MS = 20;
const IDLE_MS = 2000;
const DEADLINE_MS = 300_000; // generous bound on a condition (TCG guest)

const args = process.argv.slice(2);
const simAt = args.indexOf('--sim');
const sim = simAt >= 0 ? args.splice(simAt, 2)[1] : undefined;
const sizeMiB = Number(args[0] ?? 256);

/** arrival times (ms, performance.now) of what the server sent */
interface Timeline {
  /** heartbeats answering the pings: is the event loop free? */
  heartbeats: number[];
  /** topic updates (irq-rates ticks): is the stream ticking? */
  ticks: number[];
}

function longestGap(arrivals: number[], from: number, to: number): number {
  const inside = arrivals.filter((a) => a >= from && a <= to);
  let worst = 0;
  let last = from;
  for (const a of [...inside, to]) {
    worst = Math.max(worst, a - last);
    last = a;
  }
  return worst;
}

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Gaps {
  idle: number;
  map: number;
  unmap: number;
}

interface Result {
  variant: string;
  mapMs: number;
  unmapMs: number;
  loop: Gaps;
  stream: Gaps;
}

async function runVariant(variant: string, threadEnv: string): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-stream-gap-'));
  writeFileSync(join(dataDir, 'tokens'), `operator:${TOKEN}\n`);
  const backend = sim ? ['--backend', 'sim', '--scenario', sim] : ['--backend', 'linux', '--iommu', process.env.VFIOSCOPE_IOMMU ?? 'auto'];
  const server = spawn(
    process.execPath,
    [
      SERVER,
      'serve',
      ...backend,
      '--listen',
      `127.0.0.1:${PORT}`,
      '--token-file',
      join(dataDir, 'tokens'),
      '--data-dir',
      dataDir,
      '--tick-hz',
      '10',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VFIOSCOPE_IOCTL_THREAD: threadEnv } },
  );
  try {
    await until('the server', async () => (await fetch(`${BASE}/health`)).ok);
    const topology = (await api('GET', '/topology')) as {
      devices: { bdf: string; vendorId: string | number; deviceId: string | number; driver: string | null; iommuGroup: number | null }[];
    };
    const edu = topology.devices.find((d) => Number(d.vendorId) === 0x1234 && Number(d.deviceId) === 0x11e8 && d.driver === 'vfio-pci');
    if (!edu || edu.iommuGroup === null) throw new Error('no edu on vfio-pci');
    const opened = (await api('POST', `/groups/${edu.iommuGroup}/open`, {})) as { container: number };

    const t: Timeline = { heartbeats: [], ticks: [] };
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/v1/stream?token=${TOKEN}`);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.on('message', (raw: unknown) => {
      const now = performance.now();
      const type = (JSON.parse(String(raw)) as { type?: string }).type;
      if (type === 'heartbeat') t.heartbeats.push(now);
      else if (type === 'delta' || type === 'snapshot') t.ticks.push(now);
    });
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['irq-rates', 'host'] }));
    let id = 0;
    const pinger = setInterval(() => ws.send(JSON.stringify({ type: 'ping', id: ++id })), PING_MS);

    const idleFrom = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleTo = performance.now();
    const size = BigInt(sizeMiB) << 20n;
    const m0 = performance.now();
    await api('POST', `/containers/${opened.container}/mappings`, {
      iova: '0x10000000',
      size: `0x${size.toString(16)}`,
      flags: ['read', 'write'],
    });
    const m1 = performance.now();
    // the answers that were due while the map ran arrive right after it: wait for one
    await new Promise((r) => setTimeout(r, 200));
    const u0 = performance.now();
    await api('DELETE', `/containers/${opened.container}/mappings`, { iova: '0x10000000', size: `0x${size.toString(16)}` });
    const u1 = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    clearInterval(pinger);
    ws.close();
    await api('POST', `/groups/${edu.iommuGroup}/close`, {});
    return {
      variant,
      mapMs: m1 - m0,
      unmapMs: u1 - u0,
      loop: {
        idle: longestGap(t.heartbeats, idleFrom, idleTo),
        map: longestGap(t.heartbeats, m0, m1 + 150),
        unmap: longestGap(t.heartbeats, u0, u1 + 150),
      },
      stream: {
        idle: longestGap(t.ticks, idleFrom, idleTo),
        map: longestGap(t.ticks, m0, m1 + 150),
        unmap: longestGap(t.ticks, u0, u1 + 150),
      },
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: node apps/server/build.mjs`);
const results = [
  await runVariant('on the event loop (VFIOSCOPE_IOCTL_THREAD=0)', '0'),
  await runVariant('off the event loop (default)', '1'),
];
const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(
  `stream gap during a ${sizeMiB} MiB DMA map and unmap — ${sim ? `sim ${sim}` : `linux ${process.env.VFIOSCOPE_BENCH_WHERE ?? ''}`}, load ${loadavg()[0]!.toFixed(2)}`,
);
console.log('longest gap between heartbeats (pings every 20 ms: the event loop) and between irq-rates updates (10 Hz: the stream)');
console.log('variant | map | unmap | loop idle / map / unmap | stream idle / map / unmap');
const gaps = (g: Gaps) => `${ms(g.idle)} / ${ms(g.map)} / ${ms(g.unmap)}`;
for (const r of results) {
  console.log(`${r.variant} | ${ms(r.mapMs)} | ${ms(r.unmapMs)} | ${gaps(r.loop)} | ${gaps(r.stream)}`);
}
