/**
 * DMA maps through the REST API, as an operator's script (or the UI's scale
 * test) would send them: N one-page maps with 64 in flight against the built
 * server (sim, default scenario, NVMe group 29). Every map is an audited
 * action: its intent is on the disk before the backend is called and its
 * result before the answer, so this measures the audit log's flushing as
 * much as the server. Prints maps/s; not a test.
 * Run: pnpm exec tsx bench/map-throughput.bench.ts [N=8192]
 * Baseline: bench/baselines/map-throughput.txt
 */
import { loadavg } from 'node:os';
import { OPERATOR, startServer } from '../e2e/abuse/server-process.ts';

const N = Number(process.argv[2] ?? 8192);
const IN_FLIGHT = 64;
const srv = await startServer({ scenario: 'default' });
try {
  const h = { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' };
  const open = (await (await fetch(`${srv.base}/api/v1/groups/29/open`, { method: 'POST', headers: h })).json()) as { container: number };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < N; i = next++) {
        const iova = `0x${(0x1_0000_0000 + i * 0x1000).toString(16)}`;
        const r = await fetch(`${srv.base}/api/v1/containers/${open.container}/mappings`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ iova, size: '0x1000', flags: ['read'] }),
        });
        if (!r.ok) throw new Error(`map ${iova}: ${r.status} ${await r.text()}`);
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${N} maps, ${IN_FLIGHT} in flight: ${s.toFixed(2)} s, ${Math.round(N / s)} maps/s (load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
} finally {
  await srv.stop();
}
