import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import { ProcessAddressSpace } from './address-space.ts';
import { SimEventFd, SimEventFdCtx } from './eventfd.ts';
import { eduHost, errnoOf } from './test-support.ts';

describe('process memory for DMA', () => {
  it('gives page-aligned buffers with unmapped gaps between them', async () => {
    const space = new ProcessAddressSpace(1, null, 4096);
    const a = space.mmap(100n);
    const b = space.mmap(3n * 4096n);
    expect(a.vaddr % 4096n).toBe(0n);
    // the mapping is whole pages, as mmap() makes it (the linux backend reports the same)
    expect(a.size).toBe(4096n);
    expect(b.vaddr > a.vaddr + 4096n).toBe(true);
    expect(space.mappedPrefixPages(a.vaddr, 5)).toBe(1);
    expect(space.mappedPrefixPages(a.vaddr + 4096n, 1)).toBe(0);
    expect(space.mappedPrefixPages(b.vaddr + 4096n, 5)).toBe(2);
  });

  it('reads back what was written across pages, zeros elsewhere, and faults outside the buffer', async () => {
    const space = new ProcessAddressSpace(1, null, 4096);
    const buf = space.mmap(1n << 30n);
    await buf.write(4090n, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect([...(await buf.read(4088n, 14))]).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]);
    expect(await errnoOf(buf.read((1n << 30n) - 2n, 4))).toBe('EFAULT');
    await buf.free();
    await buf.free();
    expect(await errnoOf(buf.read(0n, 1))).toBe('EFAULT');
    expect(space.mappedPrefixPages(buf.vaddr, 1)).toBe(0);
  });
});

describe('eventfd', () => {
  it('counts signals, resets on read, and hands writes to an attached virqfd', async () => {
    const ctx = new SimEventFdCtx(7);
    let observed = 0;
    const efd = new SimEventFd(ctx, () => observed++);
    ctx.signal(3);
    await efd.signal(2);
    expect(await efd.drain()).toBe(5);
    expect(await efd.drain()).toBe(0);
    expect(observed).toBe(2);
    let handled = 0;
    ctx.signal(1);
    ctx.attachVirqfd(() => handled++);
    expect(handled).toBe(1);
    await efd.signal();
    expect([handled, await efd.drain()]).toEqual([2, 0]);
    await efd.close();
    expect(await errnoOf(efd.drain())).toBe('EBADF');
  });
});

describe('device DMA through the container', () => {
  it('reaches the buffer behind the IOVA only while mapped', async () => {
    const { host } = eduHost();
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    const buf = await host.allocDmaBuffer(0x2000n);
    await c.mapDma({ vaddr: buf.vaddr, iova: 0x200000n, size: 0x2000n, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE });
    // the bus the edu model was attached with
    const bus = host.kernel.functions.get('0000:00:03.0')!.bus;
    bus.dmaWrite(0x200ffen, new Uint8Array([0xaa, 0xbb, 0xcc]));
    expect([...(await buf.read(0xffen, 3))]).toEqual([0xaa, 0xbb, 0xcc]);
    await c.unmapDma({ iova: 0x200000n, size: 0x2000n, flags: 0 });
    expect(() => bus.dmaRead(0x200000n, 1)).toThrow(/not mapped/);
  });
});
