import { describe, expect, it } from 'vitest';
import type { Device, EventFd } from '@vfioscope/host';
import {
  VFIO_IRQ_SET_ACTION_MASK as MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER as TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK as UNMASK,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX as INTX,
  VFIO_PCI_MSI_IRQ_INDEX as MSI,
  VFIO_PCI_REQ_IRQ_INDEX as REQ,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { eduHost, errnoOf, u32 } from './test-support.ts';

const EDU = '0000:00:03.0';

async function openEdu(scenario = 'edu') {
  const { host, clock } = eduHost(scenario);
  const c = await host.openContainer();
  const g = await host.openGroup(3);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  const d = await g.openDevice(EDU);
  return { host, clock, d };
}

const wire = (d: Device, index: number, fds: (EventFd | null)[], start = 0) =>
  d.setIrqs({ index, start, count: fds.length, action: TRIGGER, data: { type: 'eventfd', fds } });
const none = (d: Device, index: number, action: number, count = 1) => d.setIrqs({ index, start: 0, count, action, data: { type: 'none' } });
const raise = (d: Device) => d.write(0, 0x60n, u32(1));
const ack = (d: Device) => d.write(0, 0x64n, u32(1));

describe('INTx', () => {
  it('auto-masks on the first interrupt and re-fires a pending one at unmask', async () => {
    const { host, d } = await openEdu();
    const efd = await host.createEventFd();
    await wire(d, INTX, [efd]);
    await raise(d);
    expect(await efd.drain()).toBe(1);
    await raise(d);
    expect(await efd.drain()).toBe(0);
    await none(d, INTX, UNMASK);
    expect(await efd.drain()).toBe(1);
    await ack(d);
    await none(d, INTX, UNMASK);
    expect(await efd.drain()).toBe(0);
    await raise(d);
    expect(await efd.drain()).toBe(1);
    const line = (await host.irqLines()).find((l) => l.bdf === EDU)!;
    expect(line.name).toBe(`vfio-intx(${EDU})`);
    expect(line.count).toBe(2);
  });

  it('unmasks through an irqfd when the unmask eventfd is written', async () => {
    const { host, d } = await openEdu();
    const [trig, unmask] = [await host.createEventFd(), await host.createEventFd()];
    await wire(d, INTX, [trig]);
    await d.setIrqs({ index: INTX, start: 0, count: 1, action: UNMASK, data: { type: 'eventfd', fds: [unmask] } });
    await raise(d);
    await ack(d);
    expect(await trig.drain()).toBe(1);
    await unmask.signal();
    expect(await unmask.drain()).toBe(0);
    await raise(d);
    expect(await trig.drain()).toBe(1);
  });

  it('loops DATA_NONE back without masking, and disables with count 0', async () => {
    const { host, d } = await openEdu();
    const efd = await host.createEventFd();
    expect(await errnoOf(none(d, INTX, MASK))).toBe('EINVAL');
    await wire(d, INTX, [efd]);
    await none(d, INTX, TRIGGER);
    await none(d, INTX, TRIGGER);
    expect(await efd.drain()).toBe(2);
    await none(d, INTX, TRIGGER, 0);
    expect(await host.irqLines()).toEqual([]);
    expect(await errnoOf(none(d, INTX, TRIGGER, 0))).toBe('EINVAL');
  });
});

describe('MSI and the index rules', () => {
  it('keeps INTx and MSI exclusive and has no MSI masking (ENOTTY)', async () => {
    const { host, d } = await openEdu();
    const [a, b] = [await host.createEventFd(), await host.createEventFd()];
    await wire(d, INTX, [a]);
    expect(await errnoOf(wire(d, MSI, [b]))).toBe('EINVAL');
    await none(d, INTX, TRIGGER, 0);
    await wire(d, MSI, [b]);
    expect(await errnoOf(wire(d, INTX, [a]))).toBe('EINVAL');
    expect(await errnoOf(none(d, MSI, MASK))).toBe('ENOTTY');
    expect(await errnoOf(none(d, MSI, UNMASK))).toBe('ENOTTY');
    expect(await errnoOf(wire(d, MSI, [b, b]))).toBe('EINVAL');
    // edu sends MSI once MSI is enabled in its config space, as a bus-master write
    await d.write(VFIO_PCI_CONFIG_REGION_INDEX, 4n, new Uint8Array([0x06, 0x00]));
    await raise(d);
    await raise(d);
    expect(await b.drain()).toBe(2);
    expect((await host.irqLines()).map((l) => [l.name, l.count])).toEqual([[`vfio-msi[0](${EDU})`, 2]]);
  });

  it('validates the header like vfio_set_irqs_validate_and_prepare', async () => {
    const { host, d } = await openEdu();
    const efd = await host.createEventFd();
    expect(await errnoOf(d.setIrqs({ index: 5, start: 0, count: 1, action: TRIGGER, data: { type: 'none' } }))).toBe('EINVAL');
    expect(await errnoOf(d.setIrqs({ index: INTX, start: 1, count: 0, action: TRIGGER, data: { type: 'none' } }))).toBe('EINVAL');
    expect(await errnoOf(d.setIrqs({ index: INTX, start: 0, count: 1, action: TRIGGER, data: { type: 'eventfd', fds: [] } }))).toBe(
      'EINVAL',
    );
    expect(await errnoOf(d.setIrqs({ index: INTX, start: 0, count: 1, action: 1 << 6, data: { type: 'none' } }))).toBe('EINVAL');
    expect(await errnoOf(d.setIrqs({ index: INTX, start: 0, count: 1, action: MASK | UNMASK, data: { type: 'none' } }))).toBe('ENOTTY');
    await efd.close();
    expect(await errnoOf(wire(d, INTX, [efd]))).toBe('EBADF');
  });

  it('resolves eventfds by fd number: EINVAL for an open file that is not an eventfd, EBADF for no open file', async () => {
    const { host, d } = await openEdu();
    const asEventFd = (fd: number) =>
      ({ fd, drain: async () => 0, signal: async () => undefined, close: async () => undefined }) as EventFd;
    // stdout: open, not an eventfd (eventfd_ctx_fdget says EINVAL, as Linux 6.1 did in the guest)
    expect(await errnoOf(wire(d, INTX, [asEventFd(1)]))).toBe('EINVAL');
    const c2 = await host.openContainer();
    expect(await errnoOf(wire(d, INTX, [asEventFd(c2.id)]))).toBe('EINVAL');
    await c2.close();
    expect(await errnoOf(wire(d, INTX, [asEventFd(c2.id)]))).toBe('EBADF');
    expect(await errnoOf(wire(d, INTX, [asEventFd(9999)]))).toBe('EBADF');
    // the number alone is enough for a live eventfd
    const efd = await host.createEventFd();
    await wire(d, INTX, [asEventFd(efd.fd)]);
    await raise(d);
    expect(await efd.drain()).toBe(1);
  });

  it('sends REQ when an operator tries to unbind an open device', async () => {
    const { host, d } = await openEdu();
    const req = await host.createEventFd();
    await wire(d, REQ, [req]);
    const logged = await host.kernelLog(-1);
    expect(await errnoOf(host.bindDriver(EDU, null))).toBe('EBUSY');
    expect(await req.drain()).toBe(1);
    // and the kernel's note of it, attached to the device (vfio_pci_core_request)
    const after = await host.kernelLog(logged.ok ? logged.nextSeq : -1);
    expect(after.ok && after.records.map((r) => r.message)).toEqual([
      { kind: 'device-request', bdf: EDU, text: `vfio-pci ${EDU}: Relaying device request to user (#0)` },
    ]);
  });

  it('says the unbind is blocked when no REQ eventfd is wired', async () => {
    const { host } = await openEdu();
    expect(await errnoOf(host.bindDriver(EDU, null))).toBe('EBUSY');
    const log = await host.kernelLog(-1);
    expect(log.ok && log.records.at(-1)?.text).toBe(
      `vfio-pci ${EDU}: No device request channel registered, blocked until released by user`,
    );
  });
});

describe('INTx already asserted when the trigger is wired', () => {
  // what Linux 6.1 did in the e2e/kernel guest (QEMU q35, split irqchip)
  it('delivers nothing until the device deasserts and raises again', async () => {
    const { host, clock, d } = await openEdu();
    await raise(d);
    const efd = await host.createEventFd();
    await wire(d, INTX, [efd]);
    clock.advance(50);
    expect(await efd.drain()).toBe(0);
    await raise(d);
    clock.advance(50);
    expect(await efd.drain()).toBe(0);
    await none(d, INTX, UNMASK);
    clock.advance(50);
    expect(await efd.drain()).toBe(0);
    await ack(d);
    await none(d, INTX, UNMASK);
    await raise(d);
    expect(await efd.drain()).toBe(1);
  });
});

describe('lines of devices other processes own', () => {
  it('count the scenario load as the clock advances', async () => {
    const { host, clock } = eduHost('storm');
    const owned = (await host.owners()).filter((o) => !o.self);
    expect(owned.length).toBeGreaterThan(0);
    const before = await host.irqLines();
    expect(before.length).toBeGreaterThan(0);
    clock.advance(10_000);
    const after = await host.irqLines();
    const total = (ls: typeof before) => ls.reduce((s, l) => s + l.count, 0);
    expect(total(after)).toBeGreaterThan(total(before) + 10_000);
    expect(after.every((l) => /^vfio-(intx|msi|msix)/.test(l.name))).toBe(true);
  });
});
