/**
 * The live path end to end, in the QEMU guest: vfioscope's server (the built
 * CLI, apps/server/dist) on the linux backend, driven only through its REST
 * API as the web UI would, on the IOMMU path the guest's mode calls for
 * (VFIOSCOPE_IOMMU, exported by guest-tests.sh: `iommufd` in the 6.12-cdev
 * guest, `type1` — the legacy container — elsewhere):
 *   GET /host: the path the server drives (type1, iommufd's compat container, an IOAS)
 *   open an edu group: on type1 a container + TYPE1v2 + the device fd; on
 *     iommufd an IOAS with the device's cdev bound and attached — the
 *     topology then shows this server as the group's owner via 'cdev' (read
 *     from /proc/self/fd, i.e. what the kernel holds open, not what the
 *     session believes)
 *   wire INTx (trigger), raise an edu interrupt with a BAR0 write (reg 0x60)
 *     -> the vector's count shows in /api/v1/irqs/top
 *   map DMA -> the mapping table lists it, /api/v1/pinned shows the pages
 *     charged where the mode's kernel charges them (VmLck, VmPin or both)
 *   reset -> refused with the kernel's errno (edu has no reset method: EINVAL)
 *   a map over RLIMIT_MEMLOCK -> ENOMEM; on type1 the kernel's message as an
 *     event attached to the device and this server (found by its memlock limit)
 *   unmap, release the group (nothing of it left held)
 *   a real QEMU VM holding the other edu (live-vm.ts): owner, pinned RAM, live
 *     MSI rate, our actions refused naming it, its DMAR faults; a VM refused by
 *     RLIMIT_MEMLOCK
 *   SIGTERM -> clean exit
 * All of it is recorded (POST /recording/start right after the server is up,
 * /recording/stop before SIGTERM, as the UI's Record button does): with
 * VFIOSCOPE_KERNEL_OUT set (guest-tests.sh: run.sh's out dir, which the host
 * sees) the file is copied there as live.vfr, for the host's replay spec
 * (e2e/tests/replay-kernel.spec.ts) — a recording made by a real kernel.
 * Exits non-zero (with what failed) on any mismatch.
 *
 * Off the guest, `tsx e2e/kernel/live-check.ts --sim <scenario>` runs the same
 * check against the sim (e.g. edu-6.12-compat with VFIOSCOPE_IOMMU=iommufd
 * VFIOSCOPE_IOMMU_MODE=cdev), to try a change to this script in seconds
 * rather than a guest boot; the guest run is the one that counts.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ContainersResponse,
  ErrorBody,
  EventsResponse,
  HostResponse,
  IommuKindView,
  IrqTopResponse,
  MappingsResponse,
  MapResponse,
  OpenGroupResponse,
  PinnedResponse,
  RecordingStatusResponse,
  StopRecordingResponse,
  TopologyResponse,
  UnmapResponse,
} from '../../packages/protocol/src/index.ts';
import { checkRealVm, kernelEvents } from './live-vm.ts';

const SERVER = 'apps/server/dist/vfioscope.js';
const PORT = 7391;
const BASE = `http://127.0.0.1:${PORT}/api/v1`;
const TOKEN = 'kernel-live-check-operator-token-0123456789';
const DATA_DIR = '/tmp/vfioscope-live';
/** where the recording goes for the host (run.sh's out dir); unset off the guest: it stays in the data dir */
const RECORDING_OUT = process.env.VFIOSCOPE_KERNEL_OUT;
/** the name the host's replay spec reads (scripts/test.sh's kernel stage passes its path) */
const RECORDING_FILE = 'live.vfr';

function fail(msg: string): never {
  console.error(`live-check: FAIL: ${msg}`);
  process.exit(1);
}

// ---- what this guest is, and so what the server must answer ----
const simAt = process.argv.indexOf('--sim');
const simScenario = simAt >= 0 ? process.argv[simAt + 1] : undefined;
if (simAt >= 0 && !simScenario) fail('--sim needs a scenario name');
const iommu = process.env.VFIOSCOPE_IOMMU ?? 'type1';
if (iommu !== 'type1' && iommu !== 'iommufd') fail(`VFIOSCOPE_IOMMU=${iommu}: expected type1 or iommufd`);
// the guest's module set (guest-init.sh): who serves /dev/vfio/vfio, hence the legacy path's kind
const guestMode = process.env.VFIOSCOPE_IOMMU_MODE ?? 'type1';
const EXPECTED_KIND: IommuKindView = iommu === 'iommufd' ? 'iommufd' : guestMode === 'type1' ? 'type1' : 'iommufd-compat';

type Problem = ErrorBody['error'];

async function request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await request(method, path, body);
  if (r.status < 200 || r.status > 299) fail(`${method} ${path} -> ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as T;
}

/** An action the kernel must refuse: its problem body, failing if it succeeded. */
async function refused(method: string, path: string, body?: unknown): Promise<{ status: number; error: Problem }> {
  const r = await request(method, path, body);
  if (r.status >= 200 && r.status <= 299) fail(`${method} ${path} succeeded (${JSON.stringify(r.json)}), expected a refusal`);
  return { status: r.status, error: (r.json as ErrorBody).error };
}

/** Wait for a condition with a generous deadline (TCG is slow and shared), never a fixed sleep. */
async function poll<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
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
const backendArgs = simScenario ? ['--backend', 'sim', '--scenario', simScenario] : ['--backend', 'linux'];
const server = spawn(
  process.execPath,
  [
    SERVER,
    'serve',
    ...backendArgs,
    // the path is named, not left to auto: auto would take iommufd in the 6.12 type1 and compat guests
    '--iommu',
    iommu,
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
  // a generous deadline on a condition: the built server is up in ~10 s under TCG, but a CI run once
  // saw it take over 120 s with other jobs on the machine
  await poll(
    'the server to answer /health',
    () => fetch(`${BASE}/health`).then((r) => r.ok),
    (ok) => ok,
    300_000,
  );
  step(`server up after ${((Date.now() - t0) / 1000).toFixed(1)}s (--iommu ${iommu}, guest mode ${guestMode})`);
  const recording = await api<RecordingStatusResponse>('POST', '/recording/start', {});
  step(`recording ${recording.recording?.name ?? fail(`POST /recording/start: ${JSON.stringify(recording)}`)}`);

  const host = await api<HostResponse>('GET', '/host');
  if (host.drive.iommu !== iommu || host.drive.kind !== EXPECTED_KIND) {
    fail(`GET /host drive is ${JSON.stringify(host.drive)}, expected iommu ${iommu} driving ${EXPECTED_KIND}`);
  }
  step(`host: ${host.info.kernel}, uapi ${JSON.stringify(host.info.uapi)}, drives ${host.drive.kind}`);

  const topo = await api<TopologyResponse>('GET', '/topology');
  const edu =
    topo.devices.find(
      (d) =>
        d.vendorId === 0x1234 &&
        d.deviceId === 0x11e8 &&
        d.driver === 'vfio-pci' &&
        topo.groups.some((g) => g.devices.length === 1 && g.devices[0] === d.bdf && g.viable),
    ) ?? fail(`no edu alone in a viable group in ${JSON.stringify(topo).slice(0, 500)}`);
  const groupId = topo.groups.find((g) => g.devices[0] === edu.bdf)!.id;

  const opened = await api<OpenGroupResponse>('POST', `/groups/${groupId}/open`, {});
  if (!opened.devices?.includes(edu.bdf)) fail(`group ${groupId} opened without its device: ${JSON.stringify(opened)}`);
  if (opened.kind !== EXPECTED_KIND) fail(`group ${groupId} opened into a ${opened.kind} context: ${JSON.stringify(opened)}`);
  const { containers } = await api<ContainersResponse>('GET', '/containers');
  const ctx = containers.find((c) => c.id === opened.container);
  if (ctx?.kind !== EXPECTED_KIND || !ctx.groups.includes(groupId)) {
    fail(
      `the container list does not show group ${groupId} in a ${EXPECTED_KIND} context ${opened.container}: ${JSON.stringify(containers)}`,
    );
  }
  // how the kernel sees this process hold the group: its /dev/vfio/N, or the device's cdev (no group file)
  const via = iommu === 'iommufd' ? 'cdev' : 'group';
  const held = await poll(
    `this server as owner of group ${groupId} via ${via}`,
    () => api<TopologyResponse>('GET', '/topology'),
    (t) => {
      const owners = t.groups.find((g) => g.id === groupId)?.owners.filter((o) => o.self) ?? [];
      return owners.length === 1 && owners[0]!.via === via;
    },
  );
  const heldGroup = held.groups.find((g) => g.id === groupId)!;
  if (!heldGroup.openDevices.includes(edu.bdf)) fail(`topology does not list ${edu.bdf} open: ${JSON.stringify(heldGroup)}`);
  step(`group ${groupId} open in ${ctx.kind} context ${opened.container}, device ${edu.bdf}, held via ${via}`);

  await api('POST', `/devices/${edu.bdf}/irqs/INTX`, { action: 'trigger' });
  await api('POST', `/devices/${edu.bdf}/regions/0/write`, { offset: '0x60', data: '01000000' });
  const top = await poll(
    `an INTx count for ${edu.bdf}`,
    () => api<IrqTopResponse>('GET', '/irqs/top?limit=50'),
    (r) => r.rates.some((v) => v.bdf === edu.bdf && v.index === 'INTX' && v.source === 'owned' && v.count >= 1),
  );
  step(`edu interrupt counted: ${JSON.stringify(top.rates.find((v) => v.bdf === edu.bdf && v.index === 'INTX'))}`);
  await api('POST', `/devices/${edu.bdf}/regions/0/write`, { offset: '0x64', data: '01000000' });
  await api('POST', `/devices/${edu.bdf}/irqs/INTX`, { action: 'unmask' });

  const mapped = await api<MapResponse>('POST', `/containers/${opened.container}/mappings`, {
    iova: '0x100000',
    size: '0x4000',
    flags: ['read', 'write'],
  });
  if (mapped.mapping.pages !== 4) fail(`mapping pins ${mapped.mapping.pages} pages, expected 4: ${JSON.stringify(mapped)}`);
  const table = await api<MappingsResponse>('GET', `/containers/${opened.container}/mappings`);
  if (table.total !== 1 || BigInt(table.rows[0]!.iova) !== 0x100000n || BigInt(table.rows[0]!.size) !== 0x4000n) {
    fail(`mapping table does not show the mapping: ${JSON.stringify(table)}`);
  }
  step(`mapping table: ${JSON.stringify(table.rows)}`);
  // where the kernel charges the pinned pages (research note): type1 VmLck, an IOAS VmPin, compat both
  const inVmLck = EXPECTED_KIND !== 'iommufd';
  const inVmPin = EXPECTED_KIND !== 'type1';
  const pinned = await poll(
    `the pinned pages of the mapping in ${[inVmLck && 'VmLck', inVmPin && 'VmPin'].filter(Boolean).join(' and ')}`,
    () => api<PinnedResponse>('GET', '/pinned'),
    (p) => {
      const self = p.stats.find((s) => s.scope === 'process' && s.self);
      return (
        p.stats.some((s) => s.scope === 'container' && s.id === opened.container && s.pinnedBytes === 0x4000) &&
        self !== undefined &&
        (!inVmLck || self.lockedBytes >= 0x4000) &&
        (!inVmPin || self.pinnedBytes >= 0x4000)
      );
    },
  );
  step(`pinned: ${JSON.stringify(pinned.stats)}`);

  // a map over the server's RLIMIT_MEMLOCK (16 MiB, no CAP_IPC_LOCK): the kernel's ENOMEM; type1 also
  // logs it (vfio_pin_pages_remote), naming no task or device: the event gets them from the one owner
  // with that limit, this server
  const eventsBefore = (await api<EventsResponse>('GET', '/events?kinds=kernel&limit=1')).newestSeq;
  const overLimit = await refused('POST', `/containers/${opened.container}/mappings`, {
    iova: '0x1000000',
    size: '0x2000000',
    flags: ['read', 'write'],
  });
  if (overLimit.error.errno !== 'ENOMEM') fail(`a 32 MiB map over RLIMIT_MEMLOCK answered ${JSON.stringify(overLimit)}`);
  step(`32 MiB map refused: ${overLimit.error.errno} (${overLimit.error.message})`);
  if (EXPECTED_KIND === 'type1') {
    const ev = await poll(
      'the memlock refusal as a kernel event of the device',
      () => kernelEvents(api, `sinceSeq=${eventsBefore}`),
      (r) => r.some((e) => e.op === 'memlock-exceeded'),
    );
    const m = ev.find((e) => e.op === 'memlock-exceeded')!;
    const data = m.data;
    if (m.device !== edu.bdf || m.group !== groupId || data.pid !== server.pid || data.attributedBy !== 'memlock-limit') {
      fail(`the memlock event is not attached to ${edu.bdf} and this server: ${JSON.stringify(m)}`);
    }
    step(`kernel event: ${m.message} → device ${m.device}, group ${m.group}, pid ${data.pid} (by its memlock limit)`);
  }

  // edu has no reset method (no FLR, no PM reset, alone on its bus): vfio-pci answers EINVAL
  const reset = await refused('POST', `/devices/${edu.bdf}/reset`);
  if (reset.error.errno !== 'EINVAL' || reset.status !== 400)
    fail(`reset refused with ${reset.status} ${JSON.stringify(reset.error)}, expected 400 EINVAL`);
  step(`reset refused: ${reset.error.errno} (${reset.error.message})`);

  const unmapped = await api<UnmapResponse>('DELETE', `/containers/${opened.container}/mappings`, { all: true });
  if (BigInt(unmapped.unmappedBytes) !== 0x4000n) fail(`unmap all returned ${JSON.stringify(unmapped)}`);
  await api('POST', `/groups/${groupId}/close`);
  const after = await api<ContainersResponse>('GET', '/containers');
  if (after.containers.length !== 0) fail(`contexts left after the release: ${JSON.stringify(after.containers)}`);
  await poll(
    `group ${groupId} no longer held by this server`,
    () => api<TopologyResponse>('GET', '/topology'),
    (t) => !t.groups.find((g) => g.id === groupId)?.owners.some((o) => o.self),
  );
  step('unmapped and released the group: no context left, the kernel shows no holder');

  if (simScenario) step('a real VM needs the guest: its check runs there only');
  else await checkRealVm({ api, refused, poll, step, fail });

  const { recording: ended } = await api<StopRecordingResponse>('POST', '/recording/stop');
  if (ended.ended !== 'stopped') fail(`the recording ended ${ended.ended}: ${JSON.stringify(ended)}`);
  const file = join(DATA_DIR, 'recordings', ended.name);
  const seconds = ((ended.endedAt - ended.startedAt) / 1000).toFixed(1);
  step(`recording ${ended.name}: ${seconds}s, ${ended.messages} messages, ${ended.keyframes} keyframes, ${statSync(file).size} bytes`);
  if (RECORDING_OUT) {
    copyFileSync(file, join(RECORDING_OUT, RECORDING_FILE));
    step(`recording copied to ${join(RECORDING_OUT, RECORDING_FILE)}`);
  }
} finally {
  stopping = true;
  server.kill('SIGTERM');
}
const code = await exited;
if (code !== 0) fail(`the server exited with ${code} on SIGTERM`);
step(`PASS in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
