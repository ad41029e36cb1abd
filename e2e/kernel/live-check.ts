/**
 * The live path end to end, in the QEMU guest: vfioscope's server (the built
 * CLI, apps/server/dist) on the linux backend, driven only through its REST
 * API as the web UI would.
 *   open an edu group (container + TYPE1v2 + device fd)
 *   wire INTx (trigger), raise an edu interrupt with a BAR0 write (reg 0x60)
 *     -> the vector's count shows in /api/v1/irqs/top
 *   map DMA -> the mapping table lists it, /api/v1/pinned shows the pages
 *   unmap, close the group, SIGTERM the server -> it exits cleanly
 * Exits non-zero (with what failed) on any mismatch.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const SERVER = 'apps/server/dist/vfioscope.js';
const PORT = 7391;
const BASE = `http://127.0.0.1:${PORT}/api/v1`;
const TOKEN = 'kernel-live-check-operator-token-0123456789';
const DATA_DIR = '/tmp/vfioscope-live';

function fail(msg: string): never {
  console.error(`live-check: FAIL: ${msg}`);
  process.exit(1);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path} -> ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function poll<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined as T);
    if (v !== undefined && done(v)) return v;
    if (Date.now() > deadline) fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const step = (s: string) => console.log(`live-check: ${s}`);

// the built server: the guest sees the checkout read-only, so run.sh builds it on the host before boot
if (!existsSync(SERVER)) fail(`${SERVER} is missing: build it on the host with "node apps/server/build.mjs" (run.sh does)`);
mkdirSync(DATA_DIR, { recursive: true });
writeFileSync(`${DATA_DIR}/tokens`, `operator:${TOKEN}\n`);
const t0 = Date.now();
const server = spawn(
  process.execPath,
  [
    SERVER,
    'serve',
    '--backend',
    'linux',
    '--listen',
    `127.0.0.1:${PORT}`,
    '--token-file',
    `${DATA_DIR}/tokens`,
    '--data-dir',
    DATA_DIR,
    '--tick-hz',
    '5',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
void exited.then((code) => {
  if (!stopping) fail(`the server exited early (status ${code})`);
});
let stopping = false;

try {
  // a generous deadline on a condition (the built server is up in seconds even under TCG)
  await poll(
    'the server to answer /health',
    () => fetch(`${BASE}/health`).then((r) => r.ok),
    (ok) => ok,
    120_000,
  );
  step(`server up after ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  interface Topo {
    groups: { id: number; devices: string[]; viable: boolean }[];
    devices: { bdf: string; vendorId: number; deviceId: number; driver: string | null }[];
  }
  const topo = await api<Topo>('GET', '/topology');
  const edu =
    topo.devices.find(
      (d) =>
        d.vendorId === 0x1234 &&
        d.deviceId === 0x11e8 &&
        d.driver === 'vfio-pci' &&
        topo.groups.some((g) => g.devices.length === 1 && g.devices[0] === d.bdf && g.viable),
    ) ?? fail(`no edu alone in a viable group in ${JSON.stringify(topo).slice(0, 500)}`);
  const groupId = topo.groups.find((g) => g.devices[0] === edu.bdf)!.id;

  const opened = await api<{ group: number; container: number; devices?: string[] }>('POST', `/groups/${groupId}/open`, {});
  if (!opened.devices?.includes(edu.bdf)) fail(`group ${groupId} opened without its device: ${JSON.stringify(opened)}`);
  step(`group ${groupId} open in container ${opened.container}, device ${edu.bdf}`);

  await api('POST', `/devices/${edu.bdf}/irqs/INTX`, { action: 'trigger' });
  await api('POST', `/devices/${edu.bdf}/regions/0/write`, { offset: '0x60', data: '01000000' });
  interface Rate {
    key: string;
    bdf: string;
    index: string;
    vector: number;
    source: string;
    count: number;
    rate: number;
  }
  const top = await poll(
    `an INTx count for ${edu.bdf}`,
    () => api<{ rates: Rate[] }>('GET', '/irqs/top?limit=50'),
    (r) => r.rates.some((v) => v.bdf === edu.bdf && v.index === 'INTX' && v.source === 'owned' && v.count >= 1),
  );
  step(`edu interrupt counted: ${JSON.stringify(top.rates.find((v) => v.bdf === edu.bdf && v.index === 'INTX'))}`);
  await api('POST', `/devices/${edu.bdf}/regions/0/write`, { offset: '0x64', data: '01000000' });
  await api('POST', `/devices/${edu.bdf}/irqs/INTX`, { action: 'unmask' });

  const mapped = await api<{ mapping: { iova: string; size: string; pages: number } }>('POST', `/containers/${opened.container}/mappings`, {
    iova: '0x100000',
    size: '0x4000',
    flags: ['read', 'write'],
  });
  if (mapped.mapping.pages !== 4) fail(`mapping pins ${mapped.mapping.pages} pages, expected 4: ${JSON.stringify(mapped)}`);
  const table = await api<{ total: number; rows: { iova: string; size: string; pages: number }[] }>(
    'GET',
    `/containers/${opened.container}/mappings`,
  );
  if (table.total !== 1 || BigInt(table.rows[0]!.iova) !== 0x100000n || BigInt(table.rows[0]!.size) !== 0x4000n) {
    fail(`mapping table does not show the mapping: ${JSON.stringify(table)}`);
  }
  step(`mapping table: ${JSON.stringify(table.rows)}`);
  interface Pinned {
    stats: { scope: string; id: number; pinnedBytes: number; lockedBytes: number; limitBytes: number | null }[];
  }
  const pinned = await poll(
    'the pinned pages of the mapping',
    () => api<Pinned>('GET', '/pinned'),
    (p) =>
      p.stats.some((s) => s.scope === 'container' && s.id === opened.container && s.pinnedBytes === 0x4000) &&
      p.stats.some((s) => s.scope === 'process' && s.lockedBytes >= 0x4000),
  );
  step(`pinned: ${JSON.stringify(pinned.stats)}`);

  const unmapped = await api<{ unmappedBytes: string }>('DELETE', `/containers/${opened.container}/mappings`, { all: true });
  if (BigInt(unmapped.unmappedBytes) !== 0x4000n) fail(`unmap all returned ${JSON.stringify(unmapped)}`);
  await api('POST', `/groups/${groupId}/close`);
  step('unmapped and closed the group');
} finally {
  stopping = true;
  server.kill('SIGTERM');
}
const code = await exited;
if (code !== 0) fail(`the server exited with ${code} on SIGTERM`);
step(`PASS in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
