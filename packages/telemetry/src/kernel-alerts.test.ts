import { type GroupOwner, parseKernelMessage } from '@vfioscope/host';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { IommuFaults } from './iommu-faults.ts';
import {
  DEVICE_ERROR_HOLD_MS,
  DEVICE_REQUEST_HOLD_MS,
  FAULT_STORM_COUNT,
  FAULT_STORM_WINDOW_MS,
  KernelAlerts,
  type KernelSubject,
  MEMLOCK_HOLD_MS,
} from './kernel-alerts.ts';

const NVME = '0000:4c:00.0';
const qemu = {
  group: 12,
  via: 'group',
  pid: 4242,
  comm: 'qemu-system-x86',
  cmdline: 'qemu-system-x86_64 -name guest=win11-cad,debug-threads=on',
  self: false,
} as GroupOwner;
const held: KernelSubject = { group: 12, owner: qemu, pid: 4242 };
const nobody: KernelSubject = { group: null, owner: undefined, pid: undefined };

/** the bed's own DMAR line for a write to an unmapped page */
const dmar = (page: number) =>
  parseKernelMessage(
    `DMAR: [DMA Write NO_PASID] Request device [4c:00.0] fault addr 0x${page.toString(16)} [fault reason 0x05] PTE Write access is not set`,
  )!;
const memlock = parseKernelMessage('vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded')!;
const disabled = parseKernelMessage('Disabling IRQ #16')!;

function setup() {
  const log = new EventLog(null);
  const faults = new IommuFaults();
  const alerts = new KernelAlerts(log, faults);
  /** a fault as the follower hands it on: recorded, then observed */
  const fault = (now: number) => {
    const m = dmar(0x100000 + Math.round(now) * 0x1000);
    faults.record(NVME, now);
    alerts.observe(m, now, held);
  };
  return { log, alerts, fault };
}

describe('KernelAlerts', () => {
  it('raises a fault storm at the count within the window, counts later faults into it, and clears after a quiet window', () => {
    const { log, alerts, fault } = setup();
    for (let i = 0; i < FAULT_STORM_COUNT - 1; i++) fault(i * 100);
    expect(alerts.list()).toEqual([]);
    fault(1000);
    const [storm] = alerts.list();
    expect(storm).toMatchObject({
      reason: 'iommu-fault-storm',
      key: `iommu-fault-storm/${NVME}`,
      bdf: NVME,
      group: 12,
      owner: { pid: 4242, comm: 'qemu-system-x86', vm: 'win11-cad' },
      count: FAULT_STORM_COUNT,
      raisedAt: 1000,
      clearedAt: null,
    });
    fault(5000);
    alerts.settle(5000 + FAULT_STORM_WINDOW_MS - 1, []);
    expect(alerts.list()).toMatchObject([{ id: storm?.id, count: FAULT_STORM_COUNT + 1, lastAt: 5000, clearedAt: null }]);
    alerts.settle(5000 + FAULT_STORM_WINDOW_MS, []);
    expect(alerts.list()).toMatchObject([{ id: storm?.id, clearedAt: 5000 + FAULT_STORM_WINDOW_MS }]);
    expect(log.query({ kinds: ['alert', 'alert-cleared'] }).map((e) => [e.kind, e.op, e.device])).toEqual([
      ['alert', 'iommu-fault-storm', NVME],
      ['alert-cleared', 'iommu-fault-storm', NVME],
    ]);
    expect(log.query({ kinds: ['alert-cleared'] })[0]?.message).toContain(`${FAULT_STORM_COUNT + 1} faults in all`);
  });

  it('raises no storm for faults spread thinner than the window, and a new one (new id) when a device storms again', () => {
    const { alerts, fault } = setup();
    const gap = Math.ceil(FAULT_STORM_WINDOW_MS / (FAULT_STORM_COUNT - 1)) + 1;
    for (let i = 0; i < 3 * FAULT_STORM_COUNT; i++) fault(i * gap);
    expect(alerts.list()).toEqual([]);

    const t0 = 100_000;
    for (let i = 0; i < FAULT_STORM_COUNT; i++) fault(t0 + i);
    alerts.settle(t0 + 20_000, []);
    for (let i = 0; i < FAULT_STORM_COUNT; i++) fault(t0 + 30_000 + i);
    const list = alerts.list();
    expect(list.map((a) => a.clearedAt === null)).toEqual([true, false]);
    expect(list[0]?.id).not.toBe(list[1]?.id);
  });

  it('keeps a memlock refusal active for the hold after the owner’s last one, each owner its own alert', () => {
    const { log, alerts } = setup();
    alerts.observe(memlock, 0, held);
    alerts.observe(memlock, 30_000, held);
    alerts.observe({ ...memlock, pid: 99, comm: 'dpdk-testpmd' }, 40_000, nobody);
    expect(alerts.list()).toMatchObject([
      { reason: 'memlock-exceeded', bdf: null, group: 12, owner: { pid: 4242, vm: 'win11-cad' }, count: 2, clearedAt: null },
      { reason: 'memlock-exceeded', owner: { pid: 99, comm: 'dpdk-testpmd', vm: null }, count: 1, clearedAt: null },
    ]);
    expect(alerts.list()[0]?.message).toContain('RLIMIT_MEMLOCK (16777216 bytes) exceeded');
    alerts.settle(30_000 + MEMLOCK_HOLD_MS - 1, []);
    expect(alerts.list().filter((a) => a.clearedAt === null)).toHaveLength(2);
    alerts.settle(30_000 + MEMLOCK_HOLD_MS, []);
    expect(alerts.list().map((a) => [a.owner?.pid, a.clearedAt])).toEqual([
      [99, null],
      [4242, 30_000 + MEMLOCK_HOLD_MS],
    ]);
    expect(log.query({ kinds: ['alert'] })).toHaveLength(2);
  });

  it('names the device the follower tied a refusal to, when the owner holds just one', () => {
    const { alerts, log } = setup();
    alerts.observe(memlock, 0, { ...held, device: NVME });
    expect(alerts.list()).toMatchObject([{ reason: 'memlock-exceeded', bdf: NVME, group: 12 }]);
    expect(log.query({ kinds: ['alert'] })).toMatchObject([{ op: 'memlock-exceeded', device: NVME, group: 12 }]);
  });

  it('keeps a disabled IRQ active until a vector on it counts interrupts again, naming the device it finds on it', () => {
    const { log, alerts } = setup();
    alerts.observe(disabled, 0, nobody);
    alerts.observe(disabled, 10, nobody);
    expect(alerts.list()).toMatchObject([{ reason: 'irq-disabled', irq: 16, bdf: null, count: 2, clearedAt: null }]);
    alerts.settle(10 * MEMLOCK_HOLD_MS, [{ bdf: NVME, irq: 17, rate: 500 }]);
    alerts.settle(10 * MEMLOCK_HOLD_MS, [{ bdf: '0000:65:00.0', irq: 16, rate: 0 }]);
    expect(alerts.list()).toMatchObject([{ irq: 16, bdf: '0000:65:00.0', clearedAt: null }]);
    alerts.settle(10 * MEMLOCK_HOLD_MS + 1, [{ bdf: '0000:65:00.0', irq: 16, rate: 3 }]);
    expect(alerts.list()).toMatchObject([{ irq: 16, clearedAt: 10 * MEMLOCK_HOLD_MS + 1 }]);
    expect(log.query({ kinds: ['alert-cleared'] })).toMatchObject([{ op: 'irq-disabled', device: '0000:65:00.0' }]);
  });

  it('lists copies: changing one changes nothing inside', () => {
    const { alerts } = setup();
    alerts.observe(disabled, 0, nobody);
    const [a] = alerts.list();
    if (a) a.clearedAt = 1;
    expect(alerts.list()[0]?.clearedAt).toBeNull();
  });

  it("an ERR firing and the AER line are one device-error alert that clears a minute after the last; REQ and the kernel's request line one device-request", () => {
    const { log, alerts } = setup();
    alerts.signal({ reason: 'device-error', bdf: NVME, count: 1 }, 0, held);
    const aer = parseKernelMessage(`pcieport 0000:00:1c.0: AER: Uncorrected (Non-Fatal) error received: ${NVME}`)!;
    alerts.observe(aer, 5_000, held);
    expect(alerts.list()).toMatchObject([
      { reason: 'device-error', bdf: NVME, group: 12, count: 2, owner: { pid: 4242, vm: 'win11-cad' }, lastAt: 5_000, clearedAt: null },
    ]);
    expect(alerts.list()[0]?.message).toContain('qemu-system-x86, pid 4242');

    alerts.signal({ reason: 'device-request', bdf: NVME, count: 1 }, 6_000, held);
    const relayed = parseKernelMessage(`vfio-pci ${NVME}: Relaying device request to user (#10)`)!;
    alerts.observe(relayed, 100_000, held);
    alerts.settle(5_000 + DEVICE_ERROR_HOLD_MS - 1, []);
    expect(
      alerts
        .list()
        .filter((a) => a.clearedAt === null)
        .map((a) => a.reason),
    ).toEqual(['device-error', 'device-request']);
    alerts.settle(5_000 + DEVICE_ERROR_HOLD_MS, []);
    expect(
      alerts
        .list()
        .filter((a) => a.clearedAt === null)
        .map((a) => [a.reason, a.count]),
    ).toEqual([['device-request', 2]]);
    alerts.settle(100_000 + DEVICE_REQUEST_HOLD_MS, []);
    expect(alerts.list().every((a) => a.clearedAt !== null)).toBe(true);
    expect(log.query({ kinds: ['alert', 'alert-cleared'] }).map((e) => [e.kind, e.op])).toEqual([
      ['alert', 'device-error'],
      ['alert', 'device-request'],
      ['alert-cleared', 'device-error'],
      ['alert-cleared', 'device-request'],
    ]);
  });

  it('a reset that did not come back stays an alert until a reset of the device does', () => {
    const { alerts } = setup();
    const gone = { bdf: NVME, cameBack: false, summary: `${NVME} reads vendor 0xffff after the reset` };
    alerts.resetResult(gone, 1_000, held);
    alerts.settle(10 * 60_000, []);
    expect(alerts.list()).toMatchObject([{ reason: 'reset-failed', bdf: NVME, count: 1, clearedAt: null }]);
    alerts.resetResult(gone, 20_000, held);
    expect(alerts.list()[0]?.count).toBe(2);
    alerts.resetResult({ bdf: NVME, cameBack: true, summary: 'vendor 0x144d device 0xa808' }, 30_000, held);
    expect(alerts.list()).toMatchObject([{ reason: 'reset-failed', clearedAt: 30_000 }]);
    // a reset that came back with nothing active raises nothing
    alerts.resetResult({ bdf: NVME, cameBack: true, summary: 'fine' }, 40_000, nobody);
    expect(alerts.list()).toHaveLength(1);
  });
});
