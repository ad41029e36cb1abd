/**
 * Where pinned pages show, per path, as the 6.12 bed measured it without
 * CAP_IPC_LOCK (research/iommufd-6.12.md, "Pinned-memory accounting"):
 * type1 VmLck only, iommufd native VmPin only (charged per user), compat
 * both (compat-container.test.ts). ENOMEM at the limit in each.
 */
import { describe, expect, it } from 'vitest';
import {
  IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_MAP_WRITEABLE,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { loadScenario } from '../scenarios/index.ts';
import { eduHost, errnoOf } from './test-support.ts';

const PAGE = 0x1000n;
const IOVA = 0x10_0000n;

function host612(memlockPages: number) {
  const scenario = loadScenario('edu-6.12');
  scenario.memlockLimit = memlockPages * 4096;
  return eduHost(scenario).host;
}

describe('pinned-memory accounting per path', () => {
  it('type1 (the group path on 6.12-type1): VmLck only; ENOMEM past RLIMIT_MEMLOCK', async () => {
    const host = host612(8);
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    await g.openDevice('0000:00:03.0');
    const buf = await host.allocDmaBuffer(16n * PAGE);
    const rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    await c.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 6n * PAGE, flags: rw });
    const self = (await host.owners()).find((o) => o.self)!;
    expect([self.via, self.lockedBytes, self.pinnedBytes]).toEqual(['group', 0x6000, 0]);
    expect(await errnoOf(c.mapDma({ vaddr: buf.vaddr, iova: 0x20_0000n, size: 3n * PAGE, flags: rw }))).toBe('ENOMEM');
  });

  it('iommufd native: VmPin only, against one budget for the user across iommufds; ENOMEM past it', async () => {
    const host = host612(8);
    const rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
    const buf = await host.allocDmaBuffer(16n * PAGE);
    const attached = async (bdf: string) => {
      const fd = await host.openIommufd();
      const ioas = await fd.allocIoas();
      const cdev = await host.openDeviceCdev(bdf);
      await cdev.bind(fd);
      await cdev.attach(ioas.id);
      return ioas;
    };
    const a = await attached('0000:00:03.0');
    const b = await attached('0000:00:04.0');
    await a.map({ vaddr: buf.vaddr, iova: IOVA, size: 5n * PAGE, flags: rw });
    expect(await errnoOf(b.map({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: rw }))).toBe('ENOMEM');
    await b.map({ vaddr: buf.vaddr, iova: IOVA, size: 3n * PAGE, flags: rw });
    expect(host.kernel.user.lockedPages).toBe(8);
    const self = (await host.owners()).filter((o) => o.self);
    expect(self.map((o) => [o.group, o.via, o.lockedBytes, o.pinnedBytes])).toEqual([
      [3, 'cdev', 0, 0x8000],
      [4, 'cdev', 0, 0x8000],
    ]);
    expect(await a.unmap(0n, (1n << 64n) - 1n)).toBe(5n * PAGE);
    expect(host.kernel.space.pinnedPages).toBe(3);
  });

  it("type1's VmLck and iommufd's per-user figure are separate budgets (not measured: a case for the bed)", async () => {
    const host = host612(4);
    const buf = await host.allocDmaBuffer(8n * PAGE);
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    await c.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: VFIO_DMA_MAP_FLAG_READ });
    const fd = await host.openIommufd();
    const ioas = await fd.allocIoas();
    const cdev = await host.openDeviceCdev('0000:00:04.0');
    await cdev.bind(fd);
    await cdev.attach(ioas.id);
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: IOMMU_IOAS_MAP_READABLE });
    expect([host.kernel.space.lockedPages, host.kernel.user.lockedPages, host.kernel.space.pinnedPages]).toEqual([4, 4, 4]);
  });
});
