/**
 * The native iommufd path of the linux backend against a real kernel, in the
 * QEMU guest of e2e/kernel: /dev/iommu and an IOAS, an edu opened through its
 * VFIO device cdev, bound and attached, DMA by the device into one mapped
 * page, interrupts through the cdev fd, reset refused, this process seen as
 * the group's owner via 'cdev', and teardown (close() and SIGTERM) giving it
 * all back. On a kernel without iommufd (the 6.1 guest) the same file checks
 * that both entry points say ENOENT; the 6.12 guests have the cdev in every
 * mode (type1, compat, cdev), so the native cases run in each.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_MAP_WRITEABLE,
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
} from '@vfioscope/uapi';
import { EDU_DMA_BUFFER, EDU_DMA_CMD_START, eduDma, openCdevStack, setBusMaster } from './kernel-tests/cdev-stack.ts';
import { DMA_IOVA, EDU_IRQ_ACK, EDU_IRQ_RAISE, eduWrite, waitFor } from './kernel-tests/edu-stack.ts';
import { createLinuxHost, type LinuxHost } from './linux-host.ts';

const HAS_IOMMUFD = existsSync('/dev/iommu');
const U64_MAX = (1n << 64n) - 1n;
const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };

/** a lone edu (alone in its group) with its cdev */
async function loneEdu(host: LinuxHost, which = 0): Promise<{ bdf: string; group: number }> {
  const { devices, groups } = await host.topology();
  const lone = devices.filter(
    (d) => d.vendorId === EDU.vendorId && d.deviceId === EDU.deviceId && groups.find((g) => g.id === d.iommuGroup)?.devices.length === 1,
  );
  const edu = lone[which]!;
  return { bdf: edu.bdf, group: edu.iommuGroup! };
}

function selfStatusKb(key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe.runIf(!HAS_IOMMUFD)('a kernel without iommufd', () => {
  it('openIommufd and openDeviceCdev fail with ENOENT, as open() of the missing nodes does', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    await expect(host.openIommufd()).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
    await expect(host.openDeviceCdev(edu.bdf)).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
    await host.close();
  });
});

describe.runIf(HAS_IOMMUFD)('iommufd and the VFIO device cdev', () => {
  it('IOAS, bind, attach, map one page, the edu DMAs into it and out of it, unmap, detach, destroy', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    const iommufd = await host.openIommufd();
    const ioas = await iommufd.allocIoas();
    expect(ioas.iommufd).toBe(iommufd);
    // a fresh IOAS spans the whole 64-bit space
    expect((await ioas.iovaRanges()).ranges).toEqual([{ start: 0n, end: U64_MAX }]);

    const device = await host.openDeviceCdev(edu.bdf);
    expect(device.group).toBe(edu.group);
    // every device ioctl is refused until the cdev is bound
    await expect(device.info()).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_GET_INFO' });
    const devid = await device.bind(iommufd);
    expect(devid).toBeGreaterThan(0);
    await expect(device.bind(iommufd)).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_BIND_IOMMUFD' });
    const info = await device.info();
    expect(info.flags & VFIO_DEVICE_FLAGS_PCI).not.toBe(0);
    expect(info.flags & VFIO_DEVICE_FLAGS_RESET).toBe(0);
    await expect(device.attach(0xdead)).rejects.toMatchObject({ errno: 'ENOENT', op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT' });
    const ptId = await device.attach(ioas.id);
    // the kernel attached the device to a HWPT it created for the IOAS
    expect(ptId).not.toBe(ioas.id);
    // attached: the IOMMU's aperture and reserved regions (the x86 MSI window) shape the IOAS
    const attached = await ioas.iovaRanges();
    expect(attached.ranges).toEqual([
      { start: 0n, end: 0xfedf_ffffn },
      { start: 0xfef0_0000n, end: 0x7f_ffff_ffffn },
    ]);
    expect(attached.alignment).toBe(BigInt(host.pageSize));
    await expect(ioas.destroy()).rejects.toMatchObject({ errno: 'EBUSY', op: 'IOMMU_DESTROY' });

    const page = BigInt(host.pageSize);
    const buffer = await host.allocDmaBuffer(page);
    const pinnedBefore = selfStatusKb('VmPin');
    const lockedBefore = selfStatusKb('VmLck');
    await ioas.map({ vaddr: buffer.vaddr, iova: DMA_IOVA, size: page, flags: IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE });
    await expect(
      ioas.map({ vaddr: buffer.vaddr, iova: DMA_IOVA, size: page, flags: IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE }),
    ).rejects.toMatchObject({ errno: 'EEXIST', op: 'IOMMU_IOAS_MAP' });
    // iommufd charges the pinned page to VmPin, not VmLck as type1 does
    expect(selfStatusKb('VmPin') - pinnedBefore).toBe(host.pageSize / 1024);
    expect(selfStatusKb('VmLck')).toBe(lockedBefore);

    // RAM → edu: 256 bytes of a pattern from the page's start; edu → RAM: back into its second half
    const pattern = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff);
    await buffer.write(0n, pattern);
    await setBusMaster(device);
    const toEdu = await eduDma(device, { src: DMA_IOVA, dst: EDU_DMA_BUFFER, count: pattern.length, toRam: false });
    expect(toEdu & EDU_DMA_CMD_START).toBe(0);
    const toRam = await eduDma(device, { src: EDU_DMA_BUFFER, dst: DMA_IOVA + 2048n, count: pattern.length, toRam: true });
    expect(toRam & EDU_DMA_CMD_START).toBe(0);
    expect(Array.from(await buffer.read(2048n, pattern.length))).toEqual(Array.from(pattern));

    expect(await ioas.unmap(DMA_IOVA, page)).toBe(page);
    await expect(ioas.unmap(DMA_IOVA, page)).rejects.toMatchObject({ errno: 'ENOENT', op: 'IOMMU_IOAS_UNMAP' });
    expect(selfStatusKb('VmPin')).toBe(pinnedBefore);
    // unmap of everything on an empty IOAS succeeds with 0 bytes (what teardown relies on)
    expect(await ioas.unmap(0n, U64_MAX)).toBe(0n);

    await device.detach();
    expect((await ioas.iovaRanges()).ranges).toEqual([{ start: 0n, end: U64_MAX }]);
    await ioas.destroy();
    await expect(ioas.iovaRanges()).rejects.toMatchObject({ errno: 'EBADF' });
    await device.close();
    await iommufd.close();
    await host.close();
  });

  it('interrupts through the cdev fd: INTx, then MSI, each to an eventfd', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    const iommufd = await host.openIommufd();
    const device = await host.openDeviceCdev(edu.bdf);
    await device.bind(iommufd);
    expect(await device.irqInfo(VFIO_PCI_INTX_IRQ_INDEX)).toMatchObject({ index: VFIO_PCI_INTX_IRQ_INDEX, count: 1 });
    await eduWrite(device, EDU_IRQ_ACK, 0xffffffff);

    const intx = await host.createEventFd();
    const wire = (index: number, fd: typeof intx | null) =>
      device.setIrqs({
        index,
        start: 0,
        count: fd === null ? 0 : 1,
        action: VFIO_IRQ_SET_ACTION_TRIGGER,
        data: fd === null ? { type: 'none' } : { type: 'eventfd', fds: [fd] },
      });
    await wire(VFIO_PCI_INTX_IRQ_INDEX, intx);
    await eduWrite(device, EDU_IRQ_RAISE, 1);
    expect(
      await waitFor(
        () => intx.drain(),
        (n) => n > 0,
      ),
    ).toBe(1);
    await eduWrite(device, EDU_IRQ_ACK, 1);
    expect((await host.irqLines()).find((l) => l.bdf === edu.bdf && l.index === 'INTX')).toMatchObject({
      name: `vfio-intx(${edu.bdf})`,
    });
    await wire(VFIO_PCI_INTX_IRQ_INDEX, null);

    // MSI is a memory write by the device: Bus Master on (and no IOAS needed for the MSI window)
    await setBusMaster(device);
    const msi = await host.createEventFd();
    await wire(VFIO_PCI_MSI_IRQ_INDEX, msi);
    await eduWrite(device, EDU_IRQ_RAISE, 2);
    expect(
      await waitFor(
        () => msi.drain(),
        (n) => n > 0,
      ),
    ).toBe(1);
    await eduWrite(device, EDU_IRQ_ACK, 2);
    expect((await host.irqLines()).some((l) => l.bdf === edu.bdf && l.name === `vfio-msi[0](${edu.bdf})`)).toBe(true);
    // left wired: close() turns it off
    await host.close();
    const after = createLinuxHost();
    expect((await after.irqLines()).filter((l) => l.bdf === edu.bdf)).toEqual([]);
    await after.close();
  });

  it('reset through the cdev fd is refused with EINVAL: edu has no reset method', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    const iommufd = await host.openIommufd();
    const device = await host.openDeviceCdev(edu.bdf);
    await device.bind(iommufd);
    await expect(device.reset()).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_RESET', context: { device: edu.bdf } });
    await host.close();
  });

  it("observe: this process owns the group via 'cdev' (its group file is EBUSY meanwhile); close() gives it all back", async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    const stack = await openCdevStack(host, edu.bdf, 4);
    const owners = (await host.owners()).filter((o) => o.group === edu.group);
    expect(owners).toEqual([
      expect.objectContaining({ group: edu.group, via: 'cdev', pid: process.pid, self: true, memlockLimit: 16 * 1024 * 1024 }),
    ]);
    expect(owners[0]!.pinnedBytes).toBeGreaterThanOrEqual(4 * host.pageSize);
    await expect(host.openGroup(edu.group)).rejects.toMatchObject({ errno: 'EBUSY', op: 'open' });

    // teardown with everything live: INTx wired, 4 pages mapped, attached, bound
    await host.close();
    await expect(stack.device.info()).rejects.toMatchObject({ errno: 'EBADF' });
    await expect(stack.ioas.iovaRanges()).rejects.toMatchObject({ errno: 'EBADF' });
    const after = createLinuxHost();
    expect((await after.owners()).filter((o) => o.self)).toEqual([]);
    expect((await after.irqLines()).filter((l) => l.bdf === edu.bdf)).toEqual([]);
    const group = await after.openGroup(edu.group);
    expect((await group.status()).viable).toBe(true);
    await after.close();
  });

  it("another process holding the cdev is the owner via 'cdev'; SIGTERM makes it give everything back", async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host, 1);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./kernel-tests/teardown-child.ts', import.meta.url)), edu.bdf, String(edu.group), 'cdev'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      void exited.then((code) => reject(new Error(`child exited early with ${code}`)));
    });

    const owners = (await host.owners()).filter((o) => o.group === edu.group);
    expect(owners).toEqual([expect.objectContaining({ via: 'cdev', pid: child.pid, self: false, comm: 'node', lockedBytes: 0 })]);
    expect(owners[0]!.pinnedBytes).toBeGreaterThanOrEqual(4 * host.pageSize);
    expect((await host.irqLines()).find((l) => l.bdf === edu.bdf && l.index === 'INTX')?.count).toBeGreaterThanOrEqual(1);
    await expect(host.openGroup(edu.group)).rejects.toMatchObject({ errno: 'EBUSY' });

    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect((await host.owners()).filter((o) => o.group === edu.group)).toEqual([]);
    expect((await host.irqLines()).filter((l) => l.bdf === edu.bdf)).toEqual([]);
    const group = await host.openGroup(edu.group);
    expect((await group.status()).viable).toBe(true);
    await host.close();
  }, 120_000);
});
