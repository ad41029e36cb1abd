/**
 * Linux-only checks in the QEMU guest of e2e/kernel, beyond the shared
 * conformance suite: they need a real kernel and processes (the sim has no
 * other processes, no /proc and no signals):
 * - observe mode sees the bed run.sh builds (groups, the bridge group a host
 *   driver blocks, a NIC on its own driver, interrupt remapping);
 * - it sees another process's groups, locked memory and VFIO interrupt lines,
 *   as it would a VM's QEMU;
 * - teardown returns everything to the kernel, on close() and on SIGTERM;
 * - a BAR can be mmap'ed and accessed without a syscall per access.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VFIO_PCI_INTX_IRQ_INDEX } from '@vfioscope/uapi';
import { EDU_IRQ_ACK, EDU_IRQ_RAISE, eduWrite, openEduStack, waitFor } from './kernel-tests/edu-stack.ts';
import type { LinuxDevice } from './drive/linux-device.ts';
import { createLinuxHost } from './linux-host.ts';

const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };
const E1000 = { vendorId: 0x8086, deviceId: 0x100e };
const E1000E = { vendorId: 0x8086, deviceId: 0x10d3 };
const PCI_BRIDGE = { vendorId: 0x1b36, deviceId: 0x0001 };

async function bed() {
  const host = createLinuxHost();
  const topology = await host.topology();
  const find = (ids: { vendorId: number; deviceId: number }) =>
    topology.devices.filter((d) => d.vendorId === ids.vendorId && d.deviceId === ids.deviceId);
  const groupOf = (id: number | null) => topology.groups.find((g) => g.id === id);
  return { host, topology, find, groupOf };
}

describe('observe mode in the guest', () => {
  it('sees the bed: two lone edu groups, a bridge group blocked by e1000, an e1000e on its own driver', async () => {
    const { host, find, groupOf } = await bed();
    const edus = find(EDU);
    expect(edus).toHaveLength(3);
    expect(edus.every((d) => d.driver === 'vfio-pci' && d.driverOverride === 'vfio-pci')).toBe(true);
    const lone = edus.filter((d) => groupOf(d.iommuGroup)!.devices.length === 1);
    expect(lone).toHaveLength(2);
    for (const d of lone) expect(groupOf(d.iommuGroup)).toMatchObject({ viable: true, blockers: [] });

    const [nic] = find(E1000);
    const [bridge] = find(PCI_BRIDGE);
    const shared = groupOf(nic!.iommuGroup)!;
    const behindBridge = edus.find((d) => d.iommuGroup === shared.id)!;
    expect(shared.devices.slice().sort()).toEqual([bridge!.bdf, behindBridge.bdf, nic!.bdf].sort());
    expect(shared).toMatchObject({ viable: false, blockers: [{ bdf: nic!.bdf, driver: 'e1000' }] });
    expect(bridge!.driver).toBeNull();
    expect(bridge!.classCode >> 8).toBe(0x0604);

    const [e1000e] = find(E1000E);
    expect(e1000e).toMatchObject({ driver: 'e1000e', driverOverride: null, classCode: 0x020000 });
    expect(groupOf(e1000e!.iommuGroup)).toMatchObject({ viable: false, blockers: [{ bdf: e1000e!.bdf, driver: 'e1000e' }] });
    await host.close();
  });

  it('hostInfo: the guest kernel with an IOMMU, interrupt remapping, the VFIO modules, uAPIs and limits of its mode', async () => {
    const { host, topology } = await bed();
    const info = await host.hostInfo();
    // the 6.1 guest is type1 without iommufd; the 6.12 guests have /dev/iommu and the cdev in every mode
    const mode = process.env.VFIOSCOPE_IOMMU_MODE ?? 'type1';
    const linux61 = /^6\.1\./.test(info.kernel);
    expect(info.kernel).toMatch(linux61 ? /^6\.1\./ : /^6\.12\./);
    expect(info.iommu).toEqual({ present: true, groupCount: topology.groups.length });
    expect(info.interruptRemapping).toBe(true);
    const type1 = mode === 'type1';
    expect(info.modules).toEqual({
      vfio: true,
      vfioPci: true,
      vfioIommuType1: type1,
      allowUnsafeInterrupts: type1 ? false : null,
      dmaEntryLimit: type1 ? 2048 : null,
    });
    expect(info.uapi).toEqual({ container: type1 ? 'type1' : 'iommufd-compat', iommufd: !linux61, cdev: !linux61 });
    expect(info.memlockLimit).toBe(16 * 1024 * 1024);
    expect(info.cpus).toBe(2);
    await host.close();
  });

  it('reads the kernel log from /dev/kmsg: consecutive sequence numbers, then only what is new', async () => {
    const host = createLinuxHost();
    try {
      const all = await host.kernelLog(-1);
      if (!all.ok) throw new Error(all.reason);
      expect(all.records.length).toBeGreaterThan(0);
      const seqs = all.records.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
      expect(all.nextSeq).toBe(seqs.at(-1));
      expect(all.records.some((r) => r.text.startsWith('Linux version'))).toBe(all.lost === 0 && seqs[0] === 0);
      const again = await host.kernelLog(all.nextSeq);
      if (!again.ok) throw new Error(again.reason);
      expect(again.records.every((r) => r.seq > all.nextSeq)).toBe(true);
    } finally {
      await host.close();
    }
  });
});

describe('another process as the owner, and teardown', () => {
  it('sees a foreign owner (its pages, its INTx line); SIGTERM makes it give everything back', async () => {
    const { host, find, groupOf } = await bed();
    const edu = find(EDU).find((d) => groupOf(d.iommuGroup)!.devices.length === 1)!;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./kernel-tests/teardown-child.ts', import.meta.url)), edu.bdf, String(edu.iommuGroup)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      void exited.then((code) => reject(new Error(`child exited early with ${code}`)));
    });

    const owners = (await host.owners()).filter((o) => o.group === edu.iommuGroup);
    expect(owners).toEqual([
      expect.objectContaining({
        pid: child.pid,
        self: false,
        comm: 'node',
        lockedBytes: 4 * host.pageSize,
        memlockLimit: 16 * 1024 * 1024,
      }),
    ]);
    const line = await waitFor(
      async () => (await host.irqLines()).find((l) => l.bdf === edu.bdf && l.index === 'INTX'),
      (l) => (l?.count ?? 0) >= 1,
    );
    expect(line).toMatchObject({ name: `vfio-intx(${edu.bdf})`, vector: 0 });
    expect(line!.count).toBeGreaterThanOrEqual(1);
    await expect(host.openGroup(edu.iommuGroup!)).rejects.toMatchObject({ errno: 'EBUSY' });

    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect((await host.owners()).filter((o) => o.group === edu.iommuGroup)).toEqual([]);
    expect((await host.irqLines()).filter((l) => l.bdf === edu.bdf)).toEqual([]);
    const group = await host.openGroup(edu.iommuGroup!);
    expect((await group.status()).viable).toBe(true);
    await host.close();
  }, 120_000);

  it('close() disables IRQs, unmaps, closes devices, unsets and closes groups and containers', async () => {
    const { host, find, groupOf } = await bed();
    const edu = find(EDU).find((d) => groupOf(d.iommuGroup)!.devices.length === 1)!;
    const ref = { bdf: edu.bdf, group: edu.iommuGroup! };
    const before = (await host.owners()).find((o) => o.self)?.lockedBytes ?? 0;
    const stack = await openEduStack(host, ref);
    await eduWrite(stack.device, EDU_IRQ_RAISE, 1);
    expect(
      await waitFor(
        () => stack.intx.drain(),
        (n) => n > 0,
      ),
    ).toBe(1);
    await eduWrite(stack.device, EDU_IRQ_ACK, 1);
    expect((await host.owners()).find((o) => o.self)!.lockedBytes).toBe(before + 4 * host.pageSize);
    expect((await host.irqLines()).some((l) => l.bdf === edu.bdf && l.index === 'INTX')).toBe(true);

    await host.close();
    await expect(stack.device.irqInfo(VFIO_PCI_INTX_IRQ_INDEX)).rejects.toMatchObject({ errno: 'EBADF' });
    const after = createLinuxHost();
    expect((await after.owners()).filter((o) => o.self)).toEqual([]);
    expect((await after.irqLines()).filter((l) => l.bdf === edu.bdf)).toEqual([]);
    const again = await openEduStack(after, ref);
    expect((await again.group.status()).containerSet).toBe(true);
    await after.close();
  });
});

describe('BAR mmap', () => {
  it('maps edu BAR0: 32-bit loads and stores reach the device like pread/pwrite; config space cannot be mapped', async () => {
    const { host, find, groupOf } = await bed();
    const edu = find(EDU).find((d) => groupOf(d.iommuGroup)!.devices.length === 1)!;
    const stack = await openEduStack(host, { bdf: edu.bdf, group: edu.iommuGroup! });
    const device = stack.device as LinuxDevice;
    const bar = await device.mapRegion(0);
    expect(bar.size).toBe(0x10_0000n);
    expect(bar.read32(0x00)).toBe(0x010000ed);
    bar.write32(0x04, 0x12345678);
    const viaPread = new DataView((await device.read(0, 4n, 4)).buffer).getUint32(0, true);
    expect(viaPread).toBe(~0x12345678 >>> 0);
    expect(bar.read32(0x04)).toBe(~0x12345678 >>> 0);
    expect(() => bar.read32(0x02)).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
    await expect(device.mapRegion(7)).rejects.toMatchObject({ errno: 'EINVAL', op: 'mmap' });
    bar.unmap();
    expect(() => bar.read32(0)).toThrow(expect.objectContaining({ errno: 'EBADF' }));
    await host.close();
  });
});
