/**
 * live-check's second half: a real QEMU VM holds an edu (vm/edu-vm.ts), and
 * vfioscope's server, observing only, must show it as an operator needs it,
 * through the REST API the UI reads:
 *   - the group's owner: QEMU's comm and pid, the VM's -name;
 *   - the guest RAM the kernel pinned for it, where this kernel charges a
 *     legacy container's pins (type1: VmLck; iommufd's compat container:
 *     VmLck and VmPin) — all of it, as soon as vfio-pci has mapped it;
 *   - the MSI vector QEMU wired (vfio-msi[0](<bdf>) in /proc/interrupts)
 *     with a live rate while the VM raises interrupts;
 *   - its own open and reset of that group refused with EBUSY naming the VM;
 *   - the VM's DMAs to a guest-physical address it has no RAM at, as kernel
 *     events (DMAR faults) attached to the device and the VM's pid;
 *   - a second VM refused at start by RLIMIT_MEMLOCK: where the kernel logs
 *     it (type1's vfio_pin_pages_remote; iommufd refuses silently), the
 *     memlock event reaches the log.
 * Then the VM stops and the group is free again.
 */
import type {
  ErrorBody,
  EventsResponse,
  HostResponse,
  IrqTopResponse,
  PinnedResponse,
  TopologyResponse,
} from '../../packages/protocol/src/index.ts';
import { buildEduVmKernel, startEduVm } from './vm/edu-vm.ts';

export interface LiveApi {
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  refused(method: string, path: string, body?: unknown): Promise<{ status: number; error: ErrorBody['error'] }>;
  poll<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs?: number): Promise<T>;
  step(s: string): void;
  fail(msg: string): never;
}

const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };
const RAM_MIB = 32;
/** the bed's RLIMIT_MEMLOCK (run.sh: vfioscope.memlock_kb=16384) */
const BED_MEMLOCK = 16 * 1024 * 1024;
/** edu-vm.c UNMAPPED_GPA */
const FIRST_FAULT = '0xc000000';

/** a kernel event's fields (kernel-log-follower.ts): its kind-specific ones read as the wire has them */
export interface KernelEventView {
  op?: string;
  message?: string;
  device?: string;
  group?: number;
  data: Record<string, unknown>;
}
export async function kernelEvents(api: LiveApi['api'], query: string): Promise<KernelEventView[]> {
  const r = await api<EventsResponse>('GET', `/events?kinds=kernel&${query}`);
  return r.events.map((e) => {
    const x = e as unknown as Partial<KernelEventView>;
    return { ...x, data: x.data ?? {} };
  });
}

export async function checkRealVm(live: LiveApi): Promise<void> {
  const { api, refused, poll, step, fail } = live;
  const host = await api<HostResponse>('GET', '/host');
  const topo = await api<TopologyResponse>('GET', '/topology');
  const lone = topo.devices
    .filter((d) => d.vendorId === EDU.vendorId && d.deviceId === EDU.deviceId && d.driver === 'vfio-pci')
    .map((d) => ({ bdf: d.bdf, group: topo.groups.find((g) => g.devices.length === 1 && g.devices[0] === d.bdf) }))
    .filter((d) => d.group?.viable && d.group.owners.length === 0);
  if (lone.length < 2) fail(`two free lone edu groups needed for the VMs, found ${JSON.stringify(lone)}`);
  const [spare, held] = [lone[0]!, lone[1]!];
  const groupId = held.group!.id;

  const kernel = buildEduVmKernel();
  const vm = startEduVm(kernel, { bdf: held.bdf, name: 'edu-vm', ramMiB: RAM_MIB, memlock: 'unlimited', faults: 3 });
  try {
    const t0 = Date.now();
    await vm.waitSerial(/edu-vm: dma ok/, 180_000);
    step(
      `VM edu-vm (pid ${vm.pid}) drives ${held.bdf} after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${vm.serial().match(/edu-vm: edu at .*/)?.[0]}`,
    );

    // the owner, as the topology shows it
    const ram = RAM_MIB * 1024 * 1024;
    const compat = host.info.uapi.container === 'iommufd-compat';
    const owned = await poll(
      `group ${groupId} owned by the VM's QEMU with its RAM pinned`,
      () => api<TopologyResponse>('GET', '/topology'),
      (t) => {
        const o = t.groups.find((g) => g.id === groupId)?.owners.find((x) => x.pid === vm.pid);
        return o !== undefined && o.lockedBytes >= ram && (!compat || o.pinnedBytes >= ram);
      },
      60_000,
    );
    const owner = owned.groups.find((g) => g.id === groupId)!.owners.find((x) => x.pid === vm.pid)!;
    if (owner.comm !== 'qemu-system-x86' || owner.vm !== 'edu-vm' || owner.via !== 'group' || owner.self) {
      fail(`the VM's owner entry is ${JSON.stringify(owner)}`);
    }
    step(
      `owner: ${owner.comm} pid ${owner.pid} VM ${owner.vm} via ${owner.via}; VmLck ${owner.lockedBytes >> 10} kB, VmPin ${owner.pinnedBytes >> 10} kB of ${RAM_MIB} MiB RAM (${host.info.uapi.container} container)`,
    );
    const pinned = await api<PinnedResponse>('GET', '/pinned');
    const stat = pinned.stats.find((s) => s.scope === 'process' && s.pid === vm.pid);
    if (!stat || stat.lockedBytes < ram || stat.vm !== 'edu-vm')
      fail(`/pinned has no VM row with its RAM: ${JSON.stringify(pinned.stats)}`);

    // the MSI vector QEMU wired when the VM enabled MSI, with a live rate
    const top = await poll(
      `a live MSI rate for ${held.bdf}`,
      () => api<IrqTopResponse>('GET', '/irqs/top?limit=50'),
      (r) => r.rates.some((v) => v.bdf === held.bdf && v.index === 'MSI' && v.source === 'observed' && v.rate >= 5),
      60_000,
    );
    const msi = top.rates.find((v) => v.bdf === held.bdf && v.index === 'MSI')!;
    const msiOwner = msi.owner?.pid === vm.pid && msi.irq !== undefined ? msi.owner : fail(`the VM's MSI vector is ${JSON.stringify(msi)}`);
    step(`MSI vector: irq ${msi.irq}, ${msi.rate.toFixed(0)}/s, count ${msi.count}, owner ${msiOwner.comm} (${msiOwner.vm})`);

    // vfioscope's own actions on the VM's group: the kernel's EBUSY, with the VM named
    for (const [method, path] of [
      ['POST', `/groups/${groupId}/open`],
      ['POST', `/devices/${held.bdf}/reset`],
    ] as const) {
      const r = await refused(method, path, method === 'POST' && path.endsWith('open') ? {} : undefined);
      const named = r.error.message.includes(`pid ${vm.pid}`) && r.error.message.includes('edu-vm');
      if (r.error.errno !== 'EBUSY' || r.status !== 409 || !named) fail(`${method} ${path}: ${r.status} ${JSON.stringify(r.error)}`);
      step(`${method} ${path} refused: ${r.error.errno} (${r.error.message})`);
    }

    // the VM's faulting DMAs, as kernel events on the device and the VM
    const faults = await poll(
      `the VM's DMAR faults as kernel events of ${held.bdf}`,
      () => kernelEvents(api, 'limit=1000'),
      (r) => r.filter((e) => e.op === 'iommu-fault' && e.device === held.bdf).length >= 3,
      60_000,
    );
    const first = faults.find((e) => e.op === 'iommu-fault' && e.device === held.bdf)!;
    const d = first.data;
    if (d.address !== FIRST_FAULT || d.direction !== 'read' || d.pid !== vm.pid || first.group !== groupId) {
      fail(`the first fault event is ${JSON.stringify(first)}`);
    }
    step(`kernel event: ${first.message} → device ${first.device}, group ${first.group}, pid ${d.pid}`);
  } finally {
    const code = await vm.stop();
    step(`VM stopped (exit ${code})`);
  }
  await poll(
    `group ${groupId} free again and its vector gone`,
    async () => [await api<TopologyResponse>('GET', '/topology'), await api<IrqTopResponse>('GET', '/irqs/top?limit=50')] as const,
    ([t, r]) => t.groups.find((g) => g.id === groupId)?.owners.length === 0 && !r.rates.some((v) => v.bdf === held.bdf),
  );

  // a VM given the bed's 16 MiB RLIMIT_MEMLOCK for 32 MiB of RAM: QEMU's vfio-pci cannot map its RAM
  const before = (await api<EventsResponse>('GET', '/events?kinds=kernel&limit=1')).newestSeq;
  const refusedVm = startEduVm(kernel, { bdf: spare.bdf, name: 'edu-vm-refused', ramMiB: RAM_MIB, memlock: 'inherit' });
  const code = await refusedVm.exited;
  if (code === 0 || !/Cannot allocate memory/.test(refusedVm.stderr()))
    fail(`the VM over its memlock limit: exit ${code}, ${refusedVm.stderr()}`);
  step(`VM over RLIMIT_MEMLOCK refused: exit ${code}, "${refusedVm.stderr().trim().split('\n').at(-1)}"`);
  if (host.info.uapi.container === 'type1') {
    const ev = await poll(
      'the memlock refusal as a kernel event',
      () => kernelEvents(api, `sinceSeq=${before}`),
      (r) => r.some((e) => e.op === 'memlock-exceeded'),
    );
    const m = ev.find((e) => e.op === 'memlock-exceeded')!;
    if (m.data.limit !== BED_MEMLOCK) fail(`memlock event ${JSON.stringify(m)}`);
    // the QEMU exited before any owner scan saw it hold the group, unless one happened to: then it must be that VM's
    if (m.data.pid !== undefined && (m.data.pid !== refusedVm.pid || m.device !== spare.bdf)) {
      fail(`memlock event attached to another process or device: ${JSON.stringify(m)}`);
    }
    step(
      `kernel event: ${m.message}${m.data.pid !== undefined ? ` → ${m.device}, pid ${m.data.pid}` : ' (host-wide: the refused QEMU was gone before an owner scan saw it)'}`,
    );
  } else {
    step('iommufd refuses a pin over RLIMIT_MEMLOCK without a kernel message: only QEMU says so');
  }
}
