import { discoverBed } from '@vfioscope/host/conformance';
import { VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import { describe, expect, it } from 'vitest';
import { EDU_DMA_BUFFER_ADDR, EDU_DMA_CMD_START, EDU_DMA_CMD_TO_RAM, EDU_REG } from '../devices/edu-registers.ts';
import { createSimHost, loadScenario } from '../index.ts';
import { ManualClock } from './clock.ts';
import { SimKernelLog } from './kernel-log.ts';

const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};

describe('SimKernelLog', () => {
  it('logs a line user space writes to /dev/kmsg with facility LOG_USER, in sequence with printk', () => {
    const log = new SimKernelLog(new ManualClock(7));
    log.printk(6, 'kernel');
    log.devkmsgWrite('demo: a note');
    const r = log.read(-1);
    expect(r.ok && r.records.map((x) => [x.seq, x.priority, x.text, x.tsUsec])).toEqual([
      [0, 6, 'kernel', 7000],
      [1, (1 << 3) | 5, 'demo: a note', 7000],
    ]);
  });

  it('numbers records from 0, parses them, and tells a reader how many it lost to the ring', () => {
    const log = new SimKernelLog(new ManualClock(5), 2);
    log.printk(6, 'hello');
    log.printk(4, 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded');
    log.printk(6, 'third');
    const all = log.read(-1);
    expect(all).toEqual({
      ok: true,
      lost: 1,
      nextSeq: 2,
      records: [
        {
          seq: 1,
          priority: 4,
          tsUsec: 5000,
          text: 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded',
          message: { kind: 'memlock-exceeded', text: 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded', limit: 65536 },
        },
        { seq: 2, priority: 6, tsUsec: 5000, text: 'third' },
      ],
    });
    expect(log.read(2)).toEqual({ ok: true, lost: 0, nextSeq: 2, records: [] });
  });
});

describe('the sim kernel prints what the real one prints', () => {
  async function openEdu(memlock: number | null) {
    const scenario = loadScenario('edu');
    scenario.memlockLimit = memlock;
    const host = createSimHost({ scenario });
    const { edu } = await discoverBed(host);
    const ref = edu[0];
    if (!ref) throw new Error('the edu scenario has no edu');
    const container = await host.openContainer();
    const group = await host.openGroup(ref.group);
    await group.setContainer(container);
    await container.setIommu(VFIO_TYPE1v2_IOMMU);
    const device = await group.openDevice(ref.bdf);
    return { host, container, device, bdf: ref.bdf };
  }

  it('an edu DMA to an IOVA that is not mapped gives the DMAR fault line, attached to the edu', async () => {
    const { host, device, bdf } = await openEdu(null);
    const start = await host.kernelLog(-1);
    expect(start.ok).toBe(true);
    const after = start.ok ? start.nextSeq : -1;
    // Bus Master on, then edu → RAM at IOVA 0x101000, which nothing maps
    const cmd = await device.read(VFIO_PCI_CONFIG_REGION_INDEX, 4n, 2);
    await device.write(VFIO_PCI_CONFIG_REGION_INDEX, 4n, Uint8Array.of((cmd[0] ?? 0) | 0x4, cmd[1] ?? 0));
    await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.DMA_SRC), u32(Number(EDU_DMA_BUFFER_ADDR)));
    await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.DMA_DST), u32(0x101000));
    await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.DMA_COUNT), u32(64));
    await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.DMA_CMD), u32(EDU_DMA_CMD_START | EDU_DMA_CMD_TO_RAM));
    await expect
      .poll(async () => {
        const r = await host.kernelLog(after);
        return r.ok ? r.records.map((x) => x.message) : [];
      })
      .toContainEqual({
        kind: 'iommu-fault',
        text: `DMAR: [DMA Write NO_PASID] Request device [${bdf.slice(5)}] fault addr 0x101000 [fault reason 0x05] PTE Write access is not set`,
        iommu: 'intel',
        bdf,
        direction: 'write',
        address: '0x101000',
        reasonCode: 5,
        reason: 'PTE Write access is not set',
      });
    await host.close();
  });

  it('a MAP_DMA refused by RLIMIT_MEMLOCK gives the vfio_pin_pages_remote line', async () => {
    const { host, container } = await openEdu(4 * 4096);
    const buf = await host.allocDmaBuffer(8n * 4096n);
    await expect(container.mapDma({ iova: 0x100000n, size: 8n * 4096n, vaddr: buf.vaddr, flags: 3 })).rejects.toMatchObject({
      errno: 'ENOMEM',
    });
    const r = await host.kernelLog(-1);
    expect(r.ok && r.records.map((x) => x.message).filter((m) => m?.kind === 'memlock-exceeded')).toEqual([
      { kind: 'memlock-exceeded', text: 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (16384) exceeded', limit: 16384 },
    ]);
    await host.close();
  });
});
