import { describe, expect, it } from 'vitest';
import {
  VFIO_IRQ_SET_ACTION_TRIGGER as TRIGGER,
  VFIO_PCI_CONFIG_REGION_INDEX as CONFIG,
  VFIO_PCI_INTX_IRQ_INDEX as INTX,
  VFIO_PCI_MSI_IRQ_INDEX as MSI,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { eduHost, u32 } from './test-support.ts';
import { ioPieces } from './vfio-pci-device.ts';

// Behaviour measured on Linux 6.1 with QEMU 7.2's edu (e2e/kernel compare probes).
const EDU = '0000:00:03.0';

async function openEdu() {
  const { host, clock } = eduHost();
  const c = await host.openContainer();
  const g = await host.openGroup(3);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  const d = await g.openDevice(EDU);
  return { host, clock, d };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const msiControl = async (d: Awaited<ReturnType<typeof openEdu>>['d']) => {
  const cap = (await d.read(CONFIG, 0x34n, 1))[0]!;
  return { at: BigInt(cap + 2), value: async () => new DataView((await d.read(CONFIG, BigInt(cap + 2), 2)).buffer).getUint16(0, true) };
};

describe('BAR access through vfio-pci (Linux 6.1 splits to at most 4 bytes)', () => {
  it('cuts an access into naturally aligned pieces of 4, 2 and 1 bytes', () => {
    expect([...ioPieces(0n, 8)]).toEqual([
      [0, 4],
      [4, 4],
    ]);
    expect([...ioPieces(2n, 7)]).toEqual([
      [0, 2],
      [2, 4],
      [6, 1],
    ]);
    expect([...ioPieces(1n, 3)]).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('since 6.11 an 8-byte aligned piece goes whole (measured on 6.12); the rest as before', () => {
    expect([...ioPieces(0n, 8, 8)]).toEqual([[0, 8]]);
    expect([...ioPieces(4n, 12, 8)]).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect([...ioPieces(2n, 7, 8)]).toEqual([
      [0, 2],
      [2, 4],
      [6, 1],
    ]);
  });

  it('an 8-byte read of edu BAR0 is two register reads; narrower reads of edu read 0', async () => {
    const { d } = await openEdu();
    await d.write(0, 4n, u32(0x12345678));
    expect(hex(await d.read(0, 0n, 8))).toBe('ed00000187a9cbed');
    expect(hex(await d.read(0, 0n, 2))).toBe('0000');
    expect(hex(await d.read(0, 0xffffen, 4))).toBe('0000');
  });
});

describe("the MSI Enable bit the user sees is vfio-pci's virtual copy", () => {
  it('SET_IRQS enabling MSI leaves it clear; a user write sticks only while MSI is enabled', async () => {
    const { host, d } = await openEdu();
    const ctl = await msiControl(d);
    const e = await host.createEventFd();
    const before = await ctl.value();
    expect(before & 1).toBe(0);
    await d.setIrqs({ index: MSI, start: 0, count: 1, action: TRIGGER, data: { type: 'eventfd', fds: [e] } });
    expect(await ctl.value()).toBe(before);
    const w = new Uint8Array(2);
    new DataView(w.buffer).setUint16(0, before | 1, true);
    await d.write(CONFIG, ctl.at, w);
    expect(await ctl.value()).toBe(before | 1);
    await d.setIrqs({ index: MSI, start: 0, count: 0, action: TRIGGER, data: { type: 'none' } });
    expect(await ctl.value()).toBe(before | 1);
  });

  it('a user write of MSI Enable without SET_IRQS reads back clear and never reaches the device: INTx still fires', async () => {
    const { host, d } = await openEdu();
    const ctl = await msiControl(d);
    const before = await ctl.value();
    const w = new Uint8Array(2);
    new DataView(w.buffer).setUint16(0, before | 1, true);
    await d.write(CONFIG, ctl.at, w);
    expect(await ctl.value()).toBe(before);
    const e = await host.createEventFd();
    await d.setIrqs({ index: INTX, start: 0, count: 1, action: TRIGGER, data: { type: 'eventfd', fds: [e] } });
    await d.write(0, 0x60n, u32(1));
    expect(await e.drain()).toBe(1);
  });
});
