/**
 * The client side of bench/stream-clients.bench.ts, run as its own process
 * so client work does not eat the server's event loop: opens N WebSocket
 * stream clients, subscribes each to a dashboard's topics, and after the
 * given time prints delivery (deltas/s per client on the first topic, seq
 * gaps, snapshots, bytes; the first client's deltas per topic) as one JSON line.
 * Usage: tsx stream-load-client.ts <ws-url> <clients> <seconds> <topics,comma,separated>
 */
import { WebSocket } from 'ws';

const [url, nStr, secStr, topicsStr] = process.argv.slice(2);
if (!url || !nStr || !secStr || !topicsStr) {
  process.stderr.write('usage: stream-load-client.ts <ws-url> <clients> <seconds> <topics>\n');
  process.exit(2);
}
const n = Number(nStr);
const seconds = Number(secStr);
const topics = topicsStr.split(',');

interface ClientStats {
  /** deltas on the first topic (the one that changes every tick) */
  deltas: number;
  allDeltas: number;
  snapshots: number;
  gaps: number;
  bytes: number;
  lastSeq: Map<string, number>;
  /** per topic: deltas and their bytes */
  byTopic: Map<string, { deltas: number; bytes: number }>;
}

const SEQ = /"type":"(snapshot|delta)","kind":"[^"]+","topic":"([^"]+)","seq":(\d+)/;

async function open(): Promise<{ ws: WebSocket; stats: ClientStats }> {
  const stats: ClientStats = { deltas: 0, allDeltas: 0, snapshots: 0, gaps: 0, bytes: 0, lastSeq: new Map(), byTopic: new Map() };
  const ws = new WebSocket(url!);
  ws.on('message', (raw) => {
    const text = String(raw);
    stats.bytes += text.length;
    const m = SEQ.exec(text.slice(0, 200));
    if (!m) return;
    const seq = Number(m[3]);
    if (m[1] === 'snapshot') stats.snapshots++;
    else {
      stats.allDeltas++;
      if (m[2] === topics[0]) stats.deltas++;
      const t = stats.byTopic.get(m[2]!) ?? { deltas: 0, bytes: 0 };
      t.deltas++;
      t.bytes += text.length;
      stats.byTopic.set(m[2]!, t);
      const last = stats.lastSeq.get(m[2]!);
      if (last !== undefined && seq !== last + 1) stats.gaps++;
    }
    stats.lastSeq.set(m[2]!, seq);
  });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  ws.send(JSON.stringify({ type: 'subscribe', topics }));
  return { ws, stats };
}

const clients: { ws: WebSocket; stats: ClientStats }[] = [];
for (let i = 0; i < n; i++) clients.push(await open());
// let the snapshots land, then measure a clean window
await new Promise((r) => setTimeout(r, 1000));
for (const c of clients) Object.assign(c.stats, { deltas: 0, allDeltas: 0, gaps: 0, bytes: 0, byTopic: new Map() });
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (performance.now() - t0) / 1000;
const rates = clients.map((c) => c.stats.deltas / elapsed).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    clients: n,
    elapsed,
    deltasPerClientPerSec: { min: rates[0], median: rates[Math.floor(rates.length / 2)], max: rates.at(-1) },
    allDeltasPerSec: clients.reduce((s, c) => s + c.stats.allDeltas, 0) / elapsed,
    gaps: clients.reduce((s, c) => s + c.stats.gaps, 0),
    snapshots: clients.reduce((s, c) => s + c.stats.snapshots, 0),
    mbPerSec: clients.reduce((s, c) => s + c.stats.bytes, 0) / elapsed / 1e6,
    /** the first client's deltas per topic: how many per second and their mean size */
    topics: Object.fromEntries(
      [...(clients[0]?.stats.byTopic ?? new Map())].map(([t, v]) => [t, { perSec: v.deltas / elapsed, bytesPerDelta: v.bytes / v.deltas }]),
    ),
  })}\n`,
);
for (const c of clients) c.ws.close();
setTimeout(() => process.exit(0), 200).unref();
