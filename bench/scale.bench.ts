/**
 * What the server costs as the host grows: RSS and CPU per 10 Hz tick against
 * IOMMU groups, interrupt vectors and DMA mappings. Each case runs in a fresh
 * process (so RSS is the case's own): a sim host, the server listening on
 * loopback, the case's mappings made through the DriveSession, and a separate
 * client process holding CLIENTS WebSocket clients subscribed like dashboards
 * (topology, host, pinned, irq-rates, alerts, events, and the container's
 * mapping table when there is one). Ticks are driven here at 10 Hz as the
 * server's timer does (one telemetry step, then one stream step), each timed:
 *   read-ms   host.irqLines() — the sim's /proc/interrupts (telemetry reads it
 *             every tick on the sim, once a second on Linux)
 *   telem-ms  the whole telemetry step (read included: sampling, rates, storms)
 *   stream-ms the hub's step (producers, diffs, JSON, sends)
 *   cpu-ms/tick  the server process's CPU (user+sys) over the window / ticks:
 *             all of the above plus socket writes, timers and GC
 * Cases (sizes; "large" is the 281-group scenario, vectors-4k the 4,096-vector one):
 *   scenario:<name>   a built-in scenario as is
 *   groups:<k>        large with k× its VFs per E810 port (64 → 128 → 256, the
 *                     E810's maximum), the extra VFs idle on vfio-pci: groups grow,
 *                     vectors stay 1,360
 *   vectors:<n>       vectors-4k with its VMs cut to hold about n vectors (groups stay 213)
 *   mappings:<n>      large plus n 4 KiB mappings in one container, watched
 * Prints a table with each case's cost beside the first case's (the baseline,
 * "default"); not a test. The machine is shared (2 cores): read the load.
 * Run: pnpm exec tsx bench/scale.bench.ts [--seconds 10] [--clients 4] [case …]
 * Baseline: bench/baselines/scale.txt
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSimHost, loadScenario, type Scenario } from '@vfioscope/host-sim';
import { listen } from '../apps/server/src/server.ts';
import { TokenStore } from '../apps/server/src/auth/tokens.ts';
import { freePort, ROOT } from './support/built.ts';

const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLIENT = join(ROOT, 'apps/server/src/bench-support/stream-load-client.ts');
const TOKEN = 'bench-scale-viewer-token';
const TICK_HZ = 10;
const TOPICS = ['irq-rates', 'topology', 'host', 'pinned', 'alerts', 'events'];
const DEFAULT_CASES = [
  'scenario:default',
  'scenario:large',
  'scenario:vectors-4k',
  'groups:2',
  'groups:4',
  'vectors:512',
  'vectors:1024',
  'vectors:2048',
  'mappings:1000',
  'mappings:10000',
];

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const seconds = opt('--seconds', 10);
const clients = opt('--clients', 4);
const childCase = args[0] === '--case' ? args[1] : undefined;

interface CaseResult {
  case: string;
  groups: number;
  vectors: number;
  mappings: number;
  ticks: number;
  setupMs: number;
  readMs: number;
  telemMs: number;
  streamMs: number;
  streamMaxMs: number;
  cpuMsPerTick: number;
  rssMiB: number;
  heapMiB: number;
  kbOutPerTick: number;
  deltasPerClientPerSec: number;
}

/** large with `k`× the VFs on each E810 port; the extra VFs are spare (vfio-pci, no VM, no load) */
function largeWithMoreVfs(k: number): Scenario {
  const s = loadScenario('large');
  let group = Math.max(...s.devices.map((d) => d.group)) + 1;
  for (const pf of s.devices.filter((d) => d.kind === 'nic-pf')) {
    const vfs = s.devices.filter((d) => d.physfn === pf.bdf);
    const first = vfs[0]!;
    const bus = first.bdf.slice(0, 8);
    const total = vfs.length * k;
    for (let i = vfs.length; i < total; i++) {
      const { irqLoad: _none, ...shape } = first;
      const at = `${bus}${(i >> 3).toString(16).padStart(2, '0')}.${i & 7}`;
      s.devices.push({ ...shape, bdf: at, group: group++, driver: 'vfio-pci' });
    }
    pf.numVfs = total;
  }
  return s;
}

/** vectors-4k with only as many of its VMs as hold about `n` vectors (storage VMs 260 each, NFV VMs 68) */
function vectorsCut(n: number): Scenario {
  const s = loadScenario('vectors-4k');
  const storage = s.processes.filter((p) => p.cmdline.includes('guest=db-'));
  const nfv = s.processes.filter((p) => p.cmdline.includes('guest=nfv-'));
  const a = Math.min(storage.length, Math.floor((storage.length * n) / 4096));
  const b = Math.min(nfv.length, Math.round((n - 260 * a) / 68));
  s.processes = [...storage.slice(0, a), ...nfv.slice(0, b)];
  return s;
}

function scenarioOf(c: string): Scenario {
  const [kind, arg] = c.split(':') as [string, string];
  if (kind === 'scenario') return loadScenario(arg);
  if (kind === 'groups') return largeWithMoreVfs(Number(arg));
  if (kind === 'vectors') return vectorsCut(Number(arg));
  if (kind === 'mappings') return loadScenario('large');
  throw new Error(`unknown case ${c}`);
}

function runClients(port: number, topics: string[], secs: number): Promise<{ mbPerSec: number; deltasPerClientPerSec: { min: number } }> {
  return new Promise((res, rej) => {
    const child = spawn(
      TSX,
      [CLIENT, `ws://127.0.0.1:${port}/api/v1/stream?token=${TOKEN}`, String(clients), String(secs), topics.join(',')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1)!)) : rej(new Error(`clients exited ${code}`))));
  });
}

async function runCase(c: string): Promise<CaseResult> {
  const t0 = performance.now();
  const scenario = scenarioOf(c);
  const mappings = c.startsWith('mappings:') ? Number(c.split(':')[1]) : 0;
  if (mappings) scenario.memlockLimit = 1024 * 1024 * 1024;
  const host = createSimHost({ scenario });
  let readMs = 0;
  const read = host.irqLines.bind(host);
  host.irqLines = async () => {
    const r0 = performance.now();
    try {
      return await read();
    } finally {
      readMs += performance.now() - r0;
    }
  };
  const port = await freePort();
  const server = await listen({
    host,
    tokens: new TokenStore([{ token: TOKEN, role: 'viewer', id: 'bench' }]),
    dataDir: null,
    tickHz: TICK_HZ,
    autoTick: false,
    webDir: null,
    listenHost: '127.0.0.1',
    port,
  });
  const { ctx, hub } = server.app.vfio;
  const topics = [...TOPICS];
  if (mappings) {
    const topo = await host.topology();
    const held = new Set((await host.owners()).map((o) => o.group));
    const driver = new Map(topo.devices.map((d) => [d.bdf, d.driver]));
    const group = topo.groups.find((g) => g.viable && !held.has(g.id) && g.devices.every((b) => driver.get(b) === 'vfio-pci'));
    if (!group) throw new Error('no free vfio-pci group');
    const { container } = await ctx.session.openGroup(group.id);
    for (let i = 0; i < mappings; i++) {
      await ctx.session.mapDma(container, { iova: 0x100000n + BigInt(i) * 0x2000n, size: 0x1000n, read: true, write: true });
    }
    topics.push(`mappings:${container}`);
  }
  const topo = await host.topology();
  const setupMs = performance.now() - t0;

  let telemMs = 0;
  let streamMs = 0;
  let streamMaxMs = 0;
  let ticks = 0;
  let measuring = false;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return; // as the server's timer: a slow tick skips the next
    busy = true;
    try {
      const a = performance.now();
      await ctx.telemetry.tick();
      const b = performance.now();
      await hub.tick();
      const s = hub.snapshotStats().lastTickMs;
      if (measuring) {
        ticks++;
        telemMs += b - a;
        streamMs += s;
        streamMaxMs = Math.max(streamMaxMs, s);
      }
    } finally {
      busy = false;
    }
  }, 1000 / TICK_HZ);
  // the clients connect and take their snapshots (the client process measures after 1 s of its own)
  const clientRun = runClients(port, topics, seconds + 2);
  const deadline = performance.now() + 60_000;
  while (hub.snapshotStats().clients < clients) {
    if (performance.now() > deadline) throw new Error('the clients did not connect within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1500));
  readMs = 0;
  const cpu0 = process.cpuUsage();
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  const clientOut = await clientRun;
  clearInterval(timer);
  const vectors = ctx.telemetry.vectorRates().length;
  await server.close();
  const n = Math.max(1, ticks);
  return {
    case: c,
    groups: topo.groups.length,
    vectors,
    mappings,
    ticks,
    setupMs,
    readMs: readMs / n,
    telemMs: telemMs / n,
    streamMs: streamMs / n,
    streamMaxMs,
    cpuMsPerTick: (cpu.user + cpu.system) / 1000 / n,
    rssMiB: mem.rss / 2 ** 20,
    heapMiB: mem.heapUsed / 2 ** 20,
    kbOutPerTick: (clientOut.mbPerSec * 1e3) / TICK_HZ / clients,
    deltasPerClientPerSec: clientOut.deltasPerClientPerSec.min,
  };
}

function runChild(c: string): Promise<CaseResult> {
  return new Promise((res, rej) => {
    const child = spawn(
      TSX,
      [join(ROOT, 'bench/scale.bench.ts'), '--seconds', String(seconds), '--clients', String(clients), '--case', c],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1)!)) : rej(new Error(`case ${c} exited ${code}`))));
  });
}

if (childCase) {
  process.stdout.write(`${JSON.stringify(await runCase(childCase))}\n`);
  process.exit(0);
}

const cases = args.length ? args : DEFAULT_CASES;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `server cost against host size — sim, ${TICK_HZ} Hz, ${clients} WebSocket clients (${TOPICS.join(',')}[,mappings:N]), ${seconds} s per case, each case its own process`,
);
console.log(`node ${process.version}, ${cpus().length} cpus, load ${load()}, ${new Date().toISOString()}`);
console.log(
  'case                 groups vectors mappings ticks  setup-s  read-ms telem-ms stream-ms(mean/max)  cpu-ms/tick  ×base  rss-MiB heap-MiB KB-out/tick/client deltas/s  load-1m',
);
let base: CaseResult | null = null;
for (const c of cases) {
  const r = await runChild(c);
  base ??= r;
  console.log(
    [
      r.case.padEnd(20),
      String(r.groups).padStart(7),
      String(r.vectors).padStart(8),
      String(r.mappings).padStart(9),
      String(r.ticks).padStart(6),
      (r.setupMs / 1000).toFixed(1).padStart(9),
      r.readMs.toFixed(1).padStart(9),
      r.telemMs.toFixed(1).padStart(9),
      `${r.streamMs.toFixed(1)}/${r.streamMaxMs.toFixed(0)}`.padStart(20),
      r.cpuMsPerTick.toFixed(1).padStart(13),
      (r.cpuMsPerTick / base.cpuMsPerTick).toFixed(1).padStart(7),
      r.rssMiB.toFixed(0).padStart(9),
      r.heapMiB.toFixed(0).padStart(9),
      r.kbOutPerTick.toFixed(1).padStart(19),
      r.deltasPerClientPerSec.toFixed(1).padStart(9),
      loadavg()[0]!.toFixed(2).padStart(9),
    ].join(''),
  );
}
console.log(`load after: ${load()}`);
