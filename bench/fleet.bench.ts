/**
 * A fleet server (`serve --peers`) in front of N sim peers on this machine:
 *   - the hub's CPU and RSS with no peers and with N, and so per peer (the
 *     hub holds one stream per peer and keeps its host, topology, pinned and
 *     alerts topics);
 *   - the time from a storm being raised on a peer (the peer's own alert
 *     raisedAt; the "demo" scenario storms its GPU 20 s after start) to the
 *     hub's GET /api/v1/hosts counting it — what the Fleet page reads.
 * Peers run the "default" scenario (36 groups, ~100 vectors), one peer the
 * "demo" one, restarted for each storm sample. Every process is the built CLI
 * on loopback. Not a test: prints figures for bench/baselines/fleet.txt.
 * Run: pnpm exec tsx bench/fleet.bench.ts [peers=8] [--storms 3] [--window 15]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertsResponse, HostsResponse } from '../packages/protocol/src/index.ts';
import { ensureServerBuilt, freePort } from './support/built.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const CLI = join(ROOT, 'apps/server/dist/vfioscope.js');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const STORMS = opt('--storms', 3);
const WINDOW_S = opt('--window', 15);
const PEERS = Number(args[0] ?? 8);
const HUB_TOKEN = 'fleet-bench-hub-token-0123456789abcdef';
const VIEWER = 'fleet-bench-viewer-token-0123456789abcd';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const work = mkdtempSync(join(tmpdir(), 'vfioscope-fleet-bench-'));
const children = new Set<ChildProcess>();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function get<T>(port: number, path: string, token = VIEWER): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
}

interface Server {
  name: string;
  port: number;
  proc: ChildProcess;
}

async function serve(name: string, scenario: string, extra: string[] = [], port?: number): Promise<Server> {
  const p = port ?? (await freePort());
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'tokens'), `hub:${HUB_TOKEN}\nviewer:${VIEWER}\n`);
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '--backend', 'sim', '--scenario', scenario, '--name', name, '--listen', `127.0.0.1:${p}`].concat(
      ['--token-file', join(dir, 'tokens'), '--data-dir', dir],
      extra,
    ),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  await waitFor(`${name} /health`, async () => ((await fetch(`http://127.0.0.1:${p}/api/v1/health`)).ok ? true : undefined));
  return { name, port: p, proc };
}

async function stop(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}

/** utime+stime (s) and RSS (MiB) of a process */
function usage(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS, rssMiB: Number(rss?.[1] ?? 0) / 1024 };
}

/** the hub's CPU share of one core and its RSS over WINDOW_S, once every peer is up */
async function measureHub(hub: Server, peers: number): Promise<{ cpuPct: number; rssMiB: number }> {
  await waitFor(`${peers} peers up on the hub`, async () => {
    const { hosts } = await get<HostsResponse>(hub.port, '/hosts');
    return hosts.filter((h) => !h.self && h.state === 'up' && h.figures).length === peers ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 3000)); // settle after the snapshots: the window measures steady state
  const a = usage(hub.proc.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const b = usage(hub.proc.pid!);
  return { cpuPct: (100 * (b.cpuS - a.cpuS)) / ((performance.now() - t0) / 1000), rssMiB: b.rssMiB };
}

async function main(): Promise<void> {
  ensureServerBuilt();
  console.log(`# fleet bench: ${PEERS} sim peers ("default"; one "demo" for storms), window ${WINDOW_S} s`);
  console.log(
    `# ${cpus().length} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );

  const alone = await serve('hub-alone', 'edu');
  const base = await measureHub(alone, 0);
  await stop(alone);
  console.log(`hub, no peers:        CPU ${base.cpuPct.toFixed(1)} % of a core, RSS ${base.rssMiB.toFixed(0)} MiB`);

  const peers: Server[] = [];
  for (let i = 0; i < PEERS - 1; i++) peers.push(await serve(`peer-${i}`, 'default'));
  const demoPort = await freePort();
  const peersFile = join(work, 'peers.json');
  const entries = [...peers.map((p) => ({ name: p.name, port: p.port })), { name: 'demo', port: demoPort }];
  for (const e of entries) writeFileSync(join(work, `${e.name}.token`), `${HUB_TOKEN}\n`);
  writeFileSync(
    peersFile,
    JSON.stringify(entries.map((e) => ({ name: e.name, url: `http://127.0.0.1:${e.port}`, tokenFile: `${e.name}.token` }))),
  );
  const hub = await serve('hub', 'edu', ['--peers', peersFile]);
  let demo = await serve('demo', 'demo', [], demoPort);
  const loaded = await measureHub(hub, PEERS);
  // RSS moves with the garbage collector by tens of MiB: per-peer memory is read as a bound, not a figure
  const perPeerCpu = (loaded.cpuPct - base.cpuPct) / PEERS;
  const perPeerRss = (loaded.rssMiB - base.rssMiB) / PEERS;
  console.log(`hub, ${PEERS} peers:        CPU ${loaded.cpuPct.toFixed(1)} % of a core, RSS ${loaded.rssMiB.toFixed(0)} MiB`);
  console.log(
    `per peer:             CPU ${perPeerCpu.toFixed(2)} % of a core, RSS ${perPeerRss.toFixed(1)} MiB (RSS: within the GC's swing when below ~2 MiB)`,
  );

  const latencies: number[] = [];
  for (let s = 0; s < STORMS; s++) {
    if (s > 0) {
      await stop(demo);
      await waitFor('demo down on the hub', async () => {
        const { hosts } = await get<HostsResponse>(hub.port, '/hosts');
        return hosts.find((h) => h.name === 'demo')?.state === 'down' ? true : undefined;
      });
      demo = await serve('demo', 'demo', [], demoPort);
      // the hub has the new peer's first snapshot (no storm yet) before the wait for its storm starts
      await waitFor('the restarted demo peer, storm-free, on the hub', async () => {
        const { hosts } = await get<HostsResponse>(hub.port, '/hosts');
        const d = hosts.find((h) => h.name === 'demo');
        return d?.state === 'up' && d.figures?.alerts.storms === 0 ? true : undefined;
      });
    }
    // the hub counts the storm (polled every 20 ms: the poll adds ≤ 20 ms), then the peer says when it raised it
    const seenAt = await waitFor(
      'the storm on the hub',
      async () => {
        const { hosts } = await get<HostsResponse>(hub.port, '/hosts');
        const d = hosts.find((h) => h.name === 'demo');
        return d?.state === 'up' && (d.figures?.alerts.storms ?? 0) > 0 ? Date.now() : undefined;
      },
      120_000,
      20,
    );
    const { alerts } = await get<AlertsResponse>(demo.port, '/alerts');
    const raisedAt = Math.min(...alerts.filter((a) => a.kind === 'storm').map((a) => a.raisedAt));
    latencies.push(seenAt - raisedAt);
    console.log(`storm ${s + 1}: raised on the peer, counted by the hub ${seenAt - raisedAt} ms later`);
  }
  const sorted = latencies.slice().sort((a, b) => a - b);
  console.log(`storm to hub: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms (${STORMS} storms)`);
  console.log(
    `# load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end`,
  );
  await stop(hub);
  await stop(demo);
  for (const p of peers) await stop(p);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });
