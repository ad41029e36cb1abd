import type { GroupOwner, Topology } from '@vfioscope/host';
import { parseKernelMessage } from '@vfioscope/host';
import { describe, expect, it } from 'vitest';
import { KernelAttribution, RECENT_OWNER_MS } from './kernel-attribution.ts';

// lines as the real-kernel bed's 6.1 guest printed them (a VM's edu DMA to an IOVA it has no RAM at;
// a QEMU started with RLIMIT_MEMLOCK 16 MiB for 32 MiB of guest RAM)
const FAULT = parseKernelMessage(
  'DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0xc000000 [fault reason 0x06] PTE Read access is not set',
)!;
const MEMLOCK = parseKernelMessage('vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded')!;

const topology: Topology = {
  groups: [
    { id: 4, devices: ['0000:00:04.0'], viable: true, blockers: [] },
    { id: 5, devices: ['0000:00:05.0'], viable: true, blockers: [] },
    { id: 7, devices: ['0000:01:01.0', '0000:01:02.0'], viable: true, blockers: [] },
  ],
  devices: [
    { bdf: '0000:00:04.0', iommuGroup: 4 },
    { bdf: '0000:00:05.0', iommuGroup: 5 },
  ] as Topology['devices'],
};

function owner(pid: number, group: number, memlockLimit: number | null, comm = 'qemu-system-x86'): GroupOwner {
  return { pid, group, via: 'group', comm, cmdline: '', self: false, lockedBytes: 0, pinnedBytes: 0, memlockLimit };
}

describe('KernelAttribution', () => {
  it('ties a fault to the device it names, its group and the group owner', () => {
    const a = new KernelAttribution();
    const vm = owner(228, 5, null);
    expect(a.attribute(FAULT, topology, [owner(300, 4, null), vm])).toEqual({ device: '0000:00:05.0', group: 5, owner: vm });
  });

  it('ties a memlock refusal (no task, no device in the text) to the one owner whose RLIMIT_MEMLOCK is the printed limit', () => {
    const a = new KernelAttribution();
    const refused = owner(410, 4, 16 * 1024 * 1024);
    const owners = [owner(228, 5, null), refused];
    a.see(owners, 0);
    expect(a.attribute(MEMLOCK, topology, owners)).toEqual({ device: '0000:00:04.0', group: 4, owner: refused, by: 'memlock-limit' });
  });

  it('still finds that owner after it exited, within RECENT_OWNER_MS, and not after', () => {
    const a = new KernelAttribution();
    const refused = owner(410, 4, 16 * 1024 * 1024);
    a.see([refused], 1_000);
    a.see([], 1_000 + RECENT_OWNER_MS - 1);
    expect(a.attribute(MEMLOCK, topology, [])).toMatchObject({ owner: refused, device: '0000:00:04.0' });
    a.see([], 1_000 + RECENT_OWNER_MS + 1);
    expect(a.attribute(MEMLOCK, topology, [])).toEqual({});
  });

  it('does not blame this server for a refusal after it released its group (it is alive: it pins only what it holds)', () => {
    const a = new KernelAttribution();
    const limit = 16 * 1024 * 1024;
    a.see([{ ...owner(209, 4, limit, 'node'), self: true }], 0);
    a.see([], 1_000);
    expect(a.attribute(MEMLOCK, topology, [])).toEqual({});
  });

  it('names no one when two owners share the limit, and no device when the owner holds several groups', () => {
    const a = new KernelAttribution();
    const limit = 16 * 1024 * 1024;
    expect(a.attribute(MEMLOCK, topology, [owner(1, 4, limit), owner(2, 5, limit)])).toEqual({});
    const both = [owner(3, 4, limit), owner(3, 5, limit)];
    expect(a.attribute(MEMLOCK, topology, both)).toEqual({ owner: both[0], by: 'memlock-limit' });
    // a group of two functions: the group, not a device
    const shared = owner(4, 7, limit);
    expect(a.attribute(MEMLOCK, topology, [shared])).toEqual({ owner: shared, group: 7, by: 'memlock-limit' });
  });
});
