/**
 * VFIO_DEVICE_RESET on a function that offers it (the conformance suite's edu
 * offers none, so only the EINVAL side is covered there): the device's own
 * state returns to power-on, while what pci_try_reset_function() saves and
 * restores — the command register, the IRQ wiring VFIO holds — survives.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_IRQ_SET_ACTION_TRIGGER as TRIGGER,
  VFIO_PCI_CONFIG_REGION_INDEX as CONFIG,
  VFIO_PCI_MSIX_IRQ_INDEX as MSIX,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { createSimHost } from '../index.ts';
import { ManualClock } from './clock.ts';
import { u32 } from './test-support.ts';

/** the default scenario's free vfio-pci NVMe (Samsung PM1733, FLR), alone in its group */
const NVME = '0000:b2:00.0';
const NVME_CC = 0x14n;
const PCI_COMMAND = 0x04n;

async function openNvme() {
  const host = createSimHost({ scenario: 'default', clock: new ManualClock(1000), pid: 9000 });
  const group = (await host.topology()).devices.find((d) => d.bdf === NVME)!.iommuGroup!;
  const c = await host.openContainer();
  const g = await host.openGroup(group);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  return { host, d: await g.openDevice(NVME) };
}

const le32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

describe('VFIO_DEVICE_RESET where the device offers it', () => {
  it('is offered in the device flags, and returns BAR registers to their power-on values', async () => {
    const { d } = await openNvme();
    expect((await d.info()).flags & VFIO_DEVICE_FLAGS_RESET).toBe(VFIO_DEVICE_FLAGS_RESET);
    const cap = await d.read(0, 0n, 8);
    await d.write(0, NVME_CC, u32(0x00460001)); // CC.EN with queue entry sizes
    expect(le32(await d.read(0, NVME_CC, 4))).toBe(0x00460001);
    await d.reset();
    expect(le32(await d.read(0, NVME_CC, 4))).toBe(0);
    expect(await d.read(0, 0n, 8)).toEqual(cap);
  });

  it('keeps the BAR addresses and interrupt line the firmware assigned (pci_restore_state)', async () => {
    const { host, d } = await openNvme();
    const fn = host.kernel.functions.get(NVME)!;
    const header = () => [0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30].map((off) => fn.cfg.read(off, 4)).concat(fn.cfg.read(0x3c, 1));
    const before = header();
    expect(before[0]).not.toBe(0);
    const seen = await d.read(CONFIG, 0x10n, 4);
    await d.reset();
    expect(header()).toEqual(before);
    expect(await d.read(CONFIG, 0x10n, 4)).toEqual(seen);
  });

  it('keeps the command register and the eventfds VFIO has wired', async () => {
    const { host, d } = await openNvme();
    await d.write(CONFIG, PCI_COMMAND, new Uint8Array([0x06, 0x00])); // memory + bus master
    const command = (await d.read(CONFIG, PCI_COMMAND, 2))[0]!;
    expect(command & 0x06).toBe(0x06);
    const efd = await host.createEventFd();
    await d.setIrqs({ index: MSIX, start: 0, count: 1, action: TRIGGER, data: { type: 'eventfd', fds: [efd] } });
    await d.reset();
    expect((await d.read(CONFIG, PCI_COMMAND, 2))[0]).toBe(command);
    // the vector is still wired: a DATA_NONE trigger (loopback) reaches the same eventfd
    await d.setIrqs({ index: MSIX, start: 0, count: 1, action: TRIGGER, data: { type: 'none' } });
    expect(await efd.drain()).toBeGreaterThanOrEqual(1);
  });
});
