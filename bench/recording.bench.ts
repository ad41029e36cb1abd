/**
 * What recording costs and what a recording is like to replay (#14):
 *   size      an hour of the default scenario, recorded on the sim's own clock
 *             (the app fixture's manual clock, 36,000 ticks run as fast as they
 *             go, a keyframe every 10 s as `record` makes them): bytes per hour
 *   load      indexing that file for replay (serve --replay's start): ms
 *   seek      20 seeks to random moments of it with a client subscribed to every
 *             recorded topic (the member inflated, the catch-up sent): ms p50/max
 *   overhead  the server's CPU at 10 Hz on the default scenario, in windows taking
 *             turns: a dashboard subscribed to every topic the recording follows
 *             (an in-process sink, as a browser's socket would be fed), and the
 *             same plus the recorder writing to a file — the recorder's share
 *             beside the server's; and against an idle server (no subscriber:
 *             what a recording costs where nobody watches)
 * Not a test: prints figures for bench/baselines/recording.txt.
 * Run: pnpm exec tsx bench/recording.bench.ts [--hour-seconds 3600] [--window-s 15] [--rounds 3]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_KEYFRAME_EVERY_MS, PROTOCOL_VERSION } from '../packages/protocol/src/index.ts';
import { createSimHost, loadScenario } from '@vfioscope/host-sim';
import { buildApp } from '../apps/server/src/app.ts';
import { TokenStore } from '../apps/server/src/auth/tokens.ts';
import { hubTap } from '../apps/server/src/recording/hub-tap.ts';
import { RecordedTopics } from '../apps/server/src/recording/recorded-topics.ts';
import { Recorder } from '../apps/server/src/recording/recorder.ts';
import { RecordingWriter } from '../apps/server/src/recording/recording-writer.ts';
import { indexRecording } from '../apps/server/src/replay/recording-index.ts';
import { ReplayHub } from '../apps/server/src/replay/replay-hub.ts';
import type { StreamSocket } from '../apps/server/src/stream/client.ts';
import { recordFixture } from '../apps/server/src/test-support/recording-fixture.ts';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const HOUR_SECONDS = flag('hour-seconds', 3600);
const WINDOW_S = flag('window-s', 15);
const ROUNDS = flag('rounds', 3);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

console.log(`# recording bench — ${cpus().length} cores, load ${load()} at start, ${new Date().toISOString()}`);

// ---- size per hour, load, seek
{
  const t0 = performance.now();
  const r = await recordFixture('default', HOUR_SECONDS, { keyframeEvery: DEFAULT_KEYFRAME_EVERY_MS / 1000 });
  const wall = (performance.now() - t0) / 1000;
  const perHour = (r.bytes.length * 3600) / HOUR_SECONDS;
  console.log(`\n## size: default scenario, ${HOUR_SECONDS} s on the sim's clock (recorded in ${wall.toFixed(0)} s), keyframe every 10 s`);
  console.log(`file ${mib(r.bytes.length)} → ${mib(perHour)} per hour`);

  const l0 = performance.now();
  const index = indexRecording(r.bytes);
  const loadMs = performance.now() - l0;
  console.log(
    `\n## load (serve --replay indexing it): ${loadMs.toFixed(0)} ms — ${index.members.length} members, ${index.marks.length} marks`,
  );

  let now = 0;
  const hub = new ReplayHub(index, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 30, now: () => now });
  let bytes = 0;
  const socket: StreamSocket = {
    bufferedAmount: 0,
    readyState: 1,
    OPEN: 1,
    send: (t) => {
      bytes += t.length;
    },
    close: () => undefined,
    on: () => undefined,
  };
  const client = hub.connect(socket, { role: 'viewer', tokenId: 'bench' });
  // every topic the recording holds: host-wide ones and the devices and containers it followed
  const topics = new Set<string>();
  for (const line of index.memberLines(index.members.length - 1)) if ('m' in line && 'topic' in line.m) topics.add(line.m.topic);
  await hub.subscribe(client, [...topics]);
  hub.control({ playing: false });
  const seeks: number[] = [];
  const sent: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = index.startT + Math.random() * (index.endT - index.startT);
    bytes = 0;
    const s0 = performance.now();
    hub.seek(t);
    seeks.push(performance.now() - s0);
    sent.push(bytes);
    now += 1;
  }
  console.log(`\n## seek: 20 random moments, a client subscribed to all ${topics.size} recorded topics`);
  console.log(
    `ms p50 ${pct(seeks, 50).toFixed(0)}  max ${Math.max(...seeks).toFixed(0)}  (catch-up sent p50 ${(pct(sent, 50) / 1024).toFixed(0)} KiB)`,
  );
  rmSync(dirname(r.file), { recursive: true, force: true });
}

// ---- overhead at 10 Hz, real time
{
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-rec-bench-'));
  const host = createSimHost({ scenario: loadScenario('default') });
  const app = await buildApp({ host, tokens: new TokenStore([]), dataDir: join(dir, 'data'), logger: false });
  await app.ready();
  const hub = app.vfio.hub;
  // what a dashboard would hold: the recording's own topic list, found the same way
  const plan = new RecordedTopics();
  const dashboard = hubTap(hub, { role: 'viewer', tokenId: 'dashboard' });
  dashboard.open(
    (text) => {
      const more = plan.discover(JSON.parse(text));
      if (more.length) dashboard.subscribe(more);
    },
    () => undefined,
  );
  const cpuOver = async (ms: number) => {
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, ms));
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / ms; // cores
  };
  let n = 0;
  const withRecorder = async (ms: number) => {
    const file = join(dir, `r${n++}.vfr`);
    const writer = new RecordingWriter(file, {
      format: 'vfioscope-recording',
      version: 1,
      protocolVersion: PROTOCOL_VERSION,
      startedAt: Date.now(),
      source: 'in-process',
      host: { name: 'bench', kernel: '-', backend: 'sim', scenario: 'default' },
      tickHz: 10,
      keyframeEveryMs: DEFAULT_KEYFRAME_EVERY_MS,
      redacted: false,
    });
    const rec = new Recorder(hubTap(hub), writer, { keyframeEveryMs: DEFAULT_KEYFRAME_EVERY_MS });
    rec.start();
    await new Promise((r) => setTimeout(r, 2000)); // its first snapshots are not the steady state
    const cores = await cpuOver(ms);
    await rec.stop('stopped');
    return { cores, bytes: statSync(file).size };
  };
  const idle: number[] = [];
  const idleRec: number[] = [];
  const watched: number[] = [];
  const watchedRec: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    idle.push(await cpuOver(WINDOW_S * 1000));
    idleRec.push((await withRecorder(WINDOW_S * 1000)).cores);
  }
  dashboard.subscribe(plan.initial());
  await new Promise((r) => setTimeout(r, 3000)); // the dashboard's devices found
  for (let i = 0; i < ROUNDS; i++) {
    watched.push(await cpuOver(WINDOW_S * 1000));
    watchedRec.push((await withRecorder(WINDOW_S * 1000)).cores);
  }
  const med = (xs: number[]) => pct(xs, 50);
  const share = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
  console.log(
    `\n## overhead: the server's process CPU at 10 Hz, default scenario, ${ROUNDS} windows of ${WINDOW_S} s each, taking turns (load ${load()})`,
  );
  console.log('case                         cores (median)  all windows');
  const row = (name: string, xs: number[]) =>
    console.log(`${name.padEnd(28)} ${med(xs).toFixed(3).padStart(14)}  ${xs.map((x) => x.toFixed(3)).join(' ')}`);
  row('watched by a dashboard', watched);
  row('  + recording', watchedRec);
  row('idle (nobody subscribed)', idle);
  row('  + recording', idleRec);
  console.log(
    `recorder's share: ${share(med(watched), med(watchedRec))} of a watched server's CPU (goal ≤ 5 %); ${share(med(idle), med(idleRec))} over an idle one (its topics are then computed for it alone)`,
  );
  dashboard.close();
  await app.close();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}
