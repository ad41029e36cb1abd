/**
 * The hot-reset calls' own logic, with the two ioctls answered the way
 * vfio_pci_core.c answers them: GET_PCI_HOT_RESET_INFO with no room is
 * ENOSPC with the count filled in, then with room the entries; PCI_HOT_RESET
 * gets the group fds. (The bed's edu answers ENODEV to both: see
 * linux-reset.kernel.test.ts.)
 */
import { VfioError } from '@vfioscope/host';
import { VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_PCI_HOT_RESET } from '@vfioscope/uapi';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: { request: number; argsz: number; bytes: Uint8Array }[] = [];

vi.mock('../syscalls/libc.ts', () => ({
  ioctlPtr: (_fd: number, request: number, arg: Uint8Array, op: string) => {
    const v = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
    calls.push({ request, argsz: v.getUint32(0, true), bytes: arg.slice() });
    // two functions on the bus: the GPU (group 17, 41:00.0) and its audio (group 17, 41:00.1)
    v.setUint32(8, 2, true);
    if (arg.byteLength < 12 + 2 * 8) throw new VfioError('ENOSPC', op, 'no room');
    for (const [i, fn] of [0, 1].entries()) {
      v.setUint32(12 + i * 8, 17, true);
      v.setUint16(16 + i * 8, 0, true);
      v.setUint8(18 + i * 8, 0x41);
      v.setUint8(19 + i * 8, fn);
    }
    return 0;
  },
  ioctlPtrBlocking: async (_fd: number, request: number, arg: Uint8Array) => {
    calls.push({ request, argsz: new DataView(arg.buffer).getUint32(0, true), bytes: arg.slice() });
    return 0;
  },
}));

const { hotReset, hotResetInfo } = await import('./hot-reset.ts');
const { LinuxGroup } = await import('./linux-group.ts');
const { Resources } = await import('./resources.ts');

beforeEach(() => {
  calls.length = 0;
});

describe('hotResetInfo', () => {
  it('asks with no room, takes the count from ENOSPC, asks again with room and names each function', () => {
    expect(hotResetInfo(9, { device: '0000:41:00.0' })).toEqual({
      flags: 0,
      devices: [
        { bdf: '0000:41:00.0', id: 17 },
        { bdf: '0000:41:00.1', id: 17 },
      ],
    });
    expect(calls.map((c) => [c.request, c.argsz])).toEqual([
      [VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, 12],
      [VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, 28],
    ]);
  });
});

describe('hotReset', () => {
  it('passes the group files as the proof of ownership', async () => {
    const group = new LinuxGroup(17, 42, new Resources());
    await hotReset(9, [group], { device: '0000:41:00.0' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.request).toBe(VFIO_DEVICE_PCI_HOT_RESET);
    expect([...calls[0]!.bytes]).toEqual([16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 42, 0, 0, 0]);
  });

  it('refuses with EINVAL a group that is not a group file of this host, before any ioctl', async () => {
    const foreign = { id: 3 } as unknown as InstanceType<typeof LinuxGroup>;
    await expect(hotReset(9, [foreign], {})).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_PCI_HOT_RESET' });
    expect(calls).toHaveLength(0);
  });
});
