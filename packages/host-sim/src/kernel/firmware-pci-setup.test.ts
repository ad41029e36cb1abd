import { describe, expect, it } from 'vitest';
import { VFIO_PCI_CONFIG_REGION_INDEX as CONFIG, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import { createSimHost } from '../index.ts';
import { ManualClock } from './clock.ts';
import { eduHost, u32 } from './test-support.ts';

const EDU = '0000:00:03.0';
const le32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);

async function openEdu() {
  const { host } = eduHost();
  const c = await host.openContainer();
  const g = await host.openGroup(3);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  return { host, d: await g.openDevice(EDU) };
}

describe('firmware PCI setup (SeaBIOS on q35)', () => {
  it.each(['default', 'large', 'storm'])(
    'assigns every memory BAR of %s an aligned, non-overlapping address (32-bit ones below the IOAPIC)',
    (scenario) => {
      const host = createSimHost({ scenario, clock: new ManualClock(1000), pid: 9000 });
      const ranges: [bigint, bigint, string][] = [];
      for (const fn of host.kernel.functions.values()) {
        for (const r of fn.model.regions()) {
          if (r.index > 5 || r.size === 0n) continue;
          const lo = fn.cfg.read(0x10 + 4 * r.index, 4);
          if (lo & 1) continue;
          const hi = (lo & 0x6) === 0x4 ? BigInt(fn.cfg.read(0x14 + 4 * r.index, 4)) << 32n : 0n;
          const start = hi | BigInt((lo & ~0xf) >>> 0);
          const size = r.size < 4096n ? 4096n : r.size;
          expect(start, `${fn.bdf} BAR${r.index}`).not.toBe(0n);
          expect(start % size, `${fn.bdf} BAR${r.index} alignment`).toBe(0n);
          if (hi === 0n) expect(start + size <= 0xfec00000n).toBe(true);
          ranges.push([start, start + size, `${fn.bdf}/${r.index}`]);
        }
      }
      ranges.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (let i = 1; i < ranges.length; i++)
        expect(ranges[i]![0] >= ranges[i - 1]![1], `${ranges[i - 1]![2]} overlaps ${ranges[i]![2]}`).toBe(true);
    },
  );

  it('gives the same layout to every host of a scenario', () => {
    const bars = () => [...eduHost().host.kernel.functions.values()].map((fn) => fn.cfg.read(0x10, 4));
    expect(bars()).toEqual(bars());
  });
});

describe('the edu header through vfio-pci after open', () => {
  it('shows the firmware values: I/O, memory and SERR on, its BAR address, interrupt line by q35 slot rotation', async () => {
    const { d } = await openEdu();
    const cfg = await d.read(CONFIG, 0n, 64);
    const v = new DataView(cfg.buffer);
    expect(v.getUint16(4, true)).toBe(0x0103);
    const bar0 = v.getUint32(0x10, true);
    expect(bar0).toBeGreaterThanOrEqual(0xc0000000);
    expect(bar0 % 0x100000).toBe(0);
    // slot 3, pin A: PIRQ index (0 + 3) & 3 = 3, routed to IRQ 11
    expect(v.getUint8(0x3c)).toBe(11);
    expect(v.getUint8(0x3d)).toBe(1);
  });

  it('keeps BAR writes virtual: sizing reads the mask, the device keeps its address', async () => {
    const { host, d } = await openEdu();
    const fn = host.kernel.functions.get(EDU)!;
    const phys = fn.cfg.read(0x10, 4);
    const bar0 = le32(await d.read(CONFIG, 0x10n, 4));
    expect(bar0).toBe(phys);
    await d.write(CONFIG, 0x10n, u32(0xffffffff));
    expect(le32(await d.read(CONFIG, 0x10n, 4))).toBe(0xfff00000);
    expect(fn.cfg.read(0x10, 4)).toBe(phys);
    await d.write(CONFIG, 0x10n, u32(0x12345678));
    expect(le32(await d.read(CONFIG, 0x10n, 4))).toBe(0x12300000);
    expect(fn.cfg.read(0x10, 4)).toBe(phys);
  });
});
