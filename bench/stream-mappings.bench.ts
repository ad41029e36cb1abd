/**
 * What one watched, full container mapping table costs the server per stream
 * tick: 65,535 mappings (type1's default dma_entry_limit) in a sim container,
 * made through the DriveSession directly (not HTTP), one in-process client
 * subscribed to `mappings:<id>` (a stand-in socket that counts bytes, so the
 * figure is the server's work, not a browser's). Ticks run at 10 Hz for ~5 s
 * per phase; each tick is one telemetry step plus one stream step, timed
 * separately:
 *   idle  — nothing maps or unmaps (a user looking at the table)
 *   churn — one map and one unmap every tick (a driver at work)
 *   idle + the other topics a DMA view's page holds (topology, host,
 *           pinned, irq-rates, alerts, events), for scale
 * Prints a table; not a test. The machine is shared (2 cores): compare means.
 * Run: pnpm exec tsx bench/stream-mappings.bench.ts [mappings=65535] [seconds=5]
 * Baseline: bench/baselines/stream-mappings.txt
 */
import { EventEmitter } from 'node:events';
import { cpus, loadavg } from 'node:os';
import type { WebSocket } from 'ws';
import { createSimHost, loadScenario } from '@vfioscope/host-sim';
import { buildApp } from '../apps/server/src/app.ts';
import { TokenStore } from '../apps/server/src/auth/tokens.ts';

const MAPPINGS = Number(process.argv[2] ?? 65535);
const SECONDS = Number(process.argv[3] ?? 5);
const TICK_HZ = 10;
const PAGE = 4096n;

/** enough of a ws socket for the hub: always open, never backed up, counts the deltas and bytes it is sent */
class CountingSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  bytes = 0;
  deltas = 0;
  send(text: string): void {
    this.bytes += text.length;
    if (text.startsWith('{"type":"delta"')) this.deltas++;
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
}

const scenario = loadScenario('default');
scenario.memlockLimit = 1024 * 1024 * 1024; // 65,535 pinned 4 KiB pages must fit
const host = createSimHost({ scenario });
const app = await buildApp({
  host,
  tokens: new TokenStore([]),
  dataDir: null,
  tickHz: TICK_HZ,
  autoTick: false,
  webDir: null,
});
await app.ready();
const { ctx, hub } = app.vfio;

interface Phase {
  name: string;
  /** subscribed before the phase's first tick */
  topics?: string[];
  /** done before each tick */
  work: (tick: number) => Promise<void>;
}

try {
  const session = ctx.session;
  const topo = await host.topology();
  const held = new Set((await host.owners()).map((o) => o.group));
  const driver = new Map(topo.devices.map((d) => [d.bdf, d.driver]));
  const group = topo.groups.find((g) => g.viable && !held.has(g.id) && g.devices.every((b) => driver.get(b) === 'vfio-pci'));
  if (!group) throw new Error('no free vfio-pci group in the scenario');
  const { container } = await session.openGroup(group.id);
  const t0 = performance.now();
  for (let i = 0; i < MAPPINGS; i++) {
    await session.mapDma(container, { iova: 0x100000n + BigInt(i) * 2n * PAGE, size: PAGE, read: true, write: true });
  }
  const fillMs = performance.now() - t0;

  const socket = new CountingSocket();
  const client = hub.connect(socket as unknown as WebSocket, { role: 'viewer', tokenId: 'bench' });
  const t1 = performance.now();
  await hub.subscribe(client, [`mappings:${container}`]);
  const subscribeMs = performance.now() - t1;
  await app.vfio.tick(); // the first tick after the fill settles whatever the fill left pending

  // churn unmaps one of the fill's mappings and maps the free page after it (the table stays at its limit)
  const fill = (i: number) => 0x100000n + BigInt(i % MAPPINGS) * 2n * PAGE;
  const phases: Phase[] = [
    { name: 'idle (no map/unmap)', work: async () => undefined },
    {
      name: 'churn (1 map + 1 unmap per tick)',
      work: async (tick) => {
        await session.unmapDma(container, { iova: fill(tick), size: PAGE });
        await session.mapDma(container, { iova: fill(tick) + PAGE, size: PAGE, read: true, write: false });
      },
    },
    { name: 'idle + 6 other topics', topics: ['topology', 'host', 'pinned', 'irq-rates', 'alerts', 'events'], work: async () => undefined },
  ];

  console.log(
    `stream mappings — ${MAPPINGS.toLocaleString('en-US')} mappings in container ${container} (group ${group.id}), sim "default" at ${TICK_HZ} Hz, 1 in-process client on mappings:${container}, ${SECONDS} s per phase`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} cpus, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  );
  console.log(`fill via DriveSession: ${(fillMs / 1000).toFixed(1)} s; subscribe (init + snapshot): ${subscribeMs.toFixed(0)} ms`);
  console.log('phase                              ticks  stream-step-ms(mean/max)  tick-total-ms(mean/max)  deltas  KB-out/tick');
  for (const phase of phases) {
    if (phase.topics) {
      await hub.subscribe(client, phase.topics);
      await app.vfio.tick();
    }
    const ticks = SECONDS * TICK_HZ;
    const stream: number[] = [];
    const total: number[] = [];
    const bytes0 = socket.bytes;
    const deltas0 = socket.deltas;
    const start = performance.now();
    for (let i = 0; i < ticks; i++) {
      await phase.work(i);
      const a = performance.now();
      await app.vfio.tick();
      total.push(performance.now() - a);
      stream.push(hub.snapshotStats().lastTickMs);
      // keep the 10 Hz cadence (a slow tick is followed at once, as the timer would)
      const due = start + ((i + 1) * 1000) / TICK_HZ;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const fmt = (xs: number[]) => `${mean(xs).toFixed(2)}/${Math.max(...xs).toFixed(2)}`;
    console.log(
      `${phase.name.padEnd(34)} ${String(ticks).padStart(5)}  ${fmt(stream).padStart(24)}  ${fmt(total).padStart(23)}  ${String(socket.deltas - deltas0).padStart(6)}  ${((socket.bytes - bytes0) / 1024 / ticks).toFixed(2).padStart(11)}`,
    );
  }
  socket.close();
  await session.unmapDma(container, { all: true });
  await session.closeGroup(group.id);
} finally {
  await app.close();
  await host.close();
}
