import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinuxHost, type LinuxHost } from './linux-host.ts';

let host: LinuxHost;
beforeEach(() => {
  host = createLinuxHost();
});
afterEach(async () => {
  await host.close();
});

describe('observe mode on this machine', () => {
  it('agrees with /sys/kernel/iommu_groups and explains an absent IOMMU instead of failing', async () => {
    const dir = '/sys/kernel/iommu_groups';
    const groups = existsSync(dir) ? readdirSync(dir).length : 0;
    const info = await host.hostInfo();
    const topo = await host.topology();
    expect(info.backend).toBe('linux');
    expect(info.iommu.groupCount).toBe(groups);
    expect(topo.groups).toHaveLength(groups);
    expect(info.iommu.present).toBe(groups > 0);
    if (!info.iommu.present) expect(info.iommu.reason).toMatch(/no IOMMU groups/);
    expect(info.pageSize).toBe(4096);
    expect(info.cpus).toBeGreaterThan(0);
  });

  it('finds no VFIO owners or VFIO interrupt lines held by this test process', async () => {
    expect((await host.owners()).filter((o) => o.self)).toEqual([]);
    expect((await host.irqLines()).every((l) => l.name.startsWith('vfio-'))).toBe(true);
  });
});

describe('eventfds through ffi-rs', () => {
  it('counts signals and resets on drain; an empty counter drains to 0', async () => {
    const e = await host.createEventFd();
    expect(e.fd).toBeGreaterThan(2);
    expect(await e.drain()).toBe(0);
    await e.signal();
    await e.signal(4);
    expect(await e.drain()).toBe(5);
    expect(await e.drain()).toBe(0);
    await e.close();
    await expect(e.drain()).rejects.toMatchObject({ errno: 'EBADF' });
  });

  it('drainEventFds reads many at once, only the fired ones count', async () => {
    const fds = await Promise.all(Array.from({ length: 50 }, () => host.createEventFd()));
    await fds[3]!.signal(2);
    await fds[17]!.signal(1);
    await fds[49]!.signal(7);
    const counts = await host.drainEventFds(fds);
    const expected = new Array(50).fill(0);
    expected[3] = 2;
    expected[17] = 1;
    expected[49] = 7;
    expect(counts).toEqual(expected);
    expect(await host.drainEventFds(fds)).toEqual(new Array(50).fill(0));
    // a closed member leaves the set; the others still drain
    await fds[0]!.close();
    await fds[1]!.signal(3);
    expect((await host.drainEventFds(fds.slice(1))).slice(0, 2)).toEqual([3, 0]);
  });
});

describe('DMA buffers', () => {
  it('maps page-aligned anonymous memory that reads back what was written', async () => {
    const b = await host.allocDmaBuffer(10000n);
    expect(b.vaddr % 4096n).toBe(0n);
    expect(b.size).toBe(12288n);
    expect(Array.from(await b.read(0n, 4))).toEqual([0, 0, 0, 0]);
    await b.write(4094n, Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(await b.read(4094n, 4))).toEqual([1, 2, 3, 4]);
    await expect(b.read(12286n, 4)).rejects.toMatchObject({ errno: 'EFAULT' });
    await b.free();
    await b.free();
    await expect(b.read(0n, 1)).rejects.toMatchObject({ errno: 'EFAULT' });
  });

  it('rejects a zero-sized buffer with EINVAL like mmap', async () => {
    await expect(host.allocDmaBuffer(0n)).rejects.toMatchObject({ errno: 'EINVAL', op: 'mmap' });
  });
});

describe('drive mode without VFIO', () => {
  it('opening a group that does not exist fails with the kernel errno', async () => {
    await expect(host.openGroup(987654)).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
  });

  it('close() releases what is still open and refuses further use', async () => {
    const e = await host.createEventFd();
    const b = await host.allocDmaBuffer(4096n);
    await host.close();
    await expect(e.signal()).rejects.toMatchObject({ errno: 'EBADF' });
    await expect(b.read(0n, 1)).rejects.toMatchObject({ errno: 'EFAULT' });
    await expect(host.createEventFd()).rejects.toMatchObject({ errno: 'EBADF' });
  });
});
