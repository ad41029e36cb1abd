import { VfioError, type GroupOwner, type Host, type HostInfo, type IrqLine } from '@vfioscope/host';
import { DriveSession } from '@vfioscope/session';
import { describe, expect, it, vi } from 'vitest';
import { EventLog } from './event-log.ts';
import { TelemetryEngine } from './telemetry-engine.ts';
import type { StormAlert, TelemetryTick } from './telemetry-types.ts';

const NIC = '0000:3b:00.0';
const QEMU: GroupOwner = {
  group: 12,
  via: 'group',
  pid: 4242,
  comm: 'qemu-system-x86',
  cmdline: 'qemu-system-x86_64 -name vm1',
  self: false,
  lockedBytes: 8 << 30,
  pinnedBytes: 8 << 30,
  memlockLimit: null,
};

/**
 * An observe-only host: one NIC function in group 12 held by a QEMU process,
 * whose MSI-X vector 0 fires at `rate` per second of the manual clock.
 * Drive calls are refused the way a host without /dev/vfio would.
 */
function observedHost(clock: { t: number }) {
  let total = 0;
  let lastT = 0;
  const state = { rate: 1_000, failIrqLines: false, irqLinesCalls: 0 };
  const host: Host = {
    backend: 'sim',
    pageSize: 4096,
    hostInfo: async () =>
      ({
        backend: 'sim',
        hostname: 'h',
        kernel: '6.1',
        iommu: { present: true, groupCount: 1 },
        interruptRemapping: true,
        modules: { vfio: true, vfioPci: true, vfioIommuType1: true, allowUnsafeInterrupts: false, dmaEntryLimit: 65535 },
        memlockLimit: 64 << 20,
        uapi: { container: 'type1', iommufd: false, cdev: false },
        pageSize: 4096,
        cpus: 8,
        vectorLimit: 1600,
      }) satisfies HostInfo,
    topology: async () => ({
      groups: [{ id: 12, devices: [NIC], viable: true, blockers: [] }],
      devices: [
        {
          bdf: NIC,
          vendorId: 0x8086,
          deviceId: 0x1572,
          subsystemVendorId: 0,
          subsystemDeviceId: 0,
          classCode: 0x020000,
          driver: 'vfio-pci',
          driverOverride: null,
          numaNode: 0,
          resetMethods: [],
          iommuGroup: 12,
        },
      ],
    }),
    owners: async () => [QEMU],
    irqLines: async (): Promise<IrqLine[]> => {
      state.irqLinesCalls++;
      if (state.failIrqLines) throw new VfioError('EACCES', 'open', '/proc/interrupts: permission denied');
      total += Math.round((state.rate * (clock.t - lastT)) / 1000);
      lastT = clock.t;
      return [
        {
          bdf: NIC,
          index: 'MSIX',
          vector: 0,
          irq: 120,
          count: total,
          perCpu: [0, total],
          affinity: [0, 1],
          effectiveAffinity: [1],
          name: `vfio-msix[0](${NIC})`,
        },
        {
          bdf: NIC,
          index: 'MSIX',
          vector: 1,
          irq: 121,
          count: 7,
          perCpu: [7, 0],
          affinity: [0, 1],
          effectiveAffinity: [0],
          name: `vfio-msix[1](${NIC})`,
        },
      ];
    },
    bindDriver: async () => undefined,
    kernelLog: async () => ({ ok: true, records: [], nextSeq: -1, lost: 0 }),
    setIrqAffinity: async () => undefined,
    openContainer: async () => {
      throw new VfioError('ENOENT', 'open', '/dev/vfio/vfio does not exist');
    },
    openGroup: async (id) => {
      throw new VfioError('ENOENT', 'open', `/dev/vfio/${id} does not exist`);
    },
    openIommufd: async () => {
      throw new VfioError('ENOENT', 'open', '/dev/iommu does not exist');
    },
    openDeviceCdev: async (bdf) => {
      throw new VfioError('ENOENT', 'open', `no cdev for ${bdf}`);
    },
    createEventFd: async () => {
      throw new VfioError('EMFILE', 'eventfd', 'not modelled');
    },
    allocDmaBuffer: async () => {
      throw new VfioError('ENOMEM', 'mmap', 'not modelled');
    },
    drainEventFds: async (fds) => fds.map(() => 0),
    close: async () => undefined,
  };
  return { host, state };
}

function setup(opts: { observeIntervalMs?: number; logSessionEvents?: boolean } = {}) {
  const clock = { t: 0 };
  const { host, state } = observedHost(clock);
  const session = new DriveSession(host);
  const eventLog = new EventLog(null, { clock: () => clock.t });
  const engine = new TelemetryEngine({
    host,
    session,
    eventLog,
    tickHz: 10,
    clock: () => clock.t,
    storm: { absoluteRate: 20_000, sustainMs: 1_000, clearBelowFraction: 0.5 },
    ...opts,
  });
  const advanceTo = async (until: number) => {
    const ticks: TelemetryTick[] = [];
    while (clock.t < until) {
      clock.t += 100;
      ticks.push(await engine.tick());
    }
    return ticks;
  };
  return { clock, state, session, eventLog, engine, advanceTo };
}

describe('TelemetryEngine (observe path, manual clock)', () => {
  it('reports rates of vectors other processes own, with their owner and history', async () => {
    const { engine, advanceTo } = setup();
    const ticks = await advanceTo(3_000);
    expect(ticks.map((t) => t.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const rates = engine.vectorRates();
    expect(rates).toEqual([
      {
        key: `${NIC}/MSIX/0`,
        bdf: NIC,
        index: 'MSIX',
        vector: 0,
        source: 'observed',
        owner: { pid: 4242, comm: 'qemu-system-x86', vm: 'vm1' },
        count: 3_000,
        rate: 1_000,
        // every interrupt lands on CPU 1, the effective affinity
        irq: 120,
        cpuRates: [0, 1_000],
        cpuCounts: [0, 3_000],
        affinity: [0, 1],
        effectiveAffinity: [1],
      },
      {
        key: `${NIC}/MSIX/1`,
        bdf: NIC,
        index: 'MSIX',
        vector: 1,
        source: 'observed',
        owner: { pid: 4242, comm: 'qemu-system-x86', vm: 'vm1' },
        count: 7,
        rate: 0,
        irq: 121,
        cpuRates: [0, 0],
        cpuCounts: [7, 0],
        affinity: [0, 1],
        effectiveAffinity: [0],
      },
    ]);
    const history = engine.history(`${NIC}/MSIX/0`, 'tick');
    expect(history).toHaveLength(30);
    expect(history.slice(1).every((p) => p.rate === 1_000)).toBe(true);
    expect(engine.history(`${NIC}/MSIX/0`, '1s').map((p) => p.t)).toEqual([1_100, 2_100]);
    expect(engine.snapshot()).toMatchObject({
      seq: 30,
      t: 3_000,
      tickHz: 10,
      vectors: { total: 2, limit: 1600, perDevice: [{ bdf: NIC, vectors: 2 }] },
    });
    expect(engine.pinned()).toEqual([
      {
        scope: 'process',
        id: 4242,
        pid: 4242,
        comm: 'qemu-system-x86',
        vm: 'vm1',
        self: false,
        pinnedBytes: 8 << 30,
        lockedBytes: 8 << 30,
        limitBytes: null,
      },
    ]);
    expect(engine.dmaEntries()).toEqual([]);
  });

  it('raises a storm alert after the sustain window, logs it, and clears it with hysteresis', async () => {
    const { engine, state, eventLog, advanceTo } = setup();
    const alerts: StormAlert[] = [];
    engine.on('alert', (a) => alerts.push(a));
    await advanceTo(2_000);
    state.rate = 50_000;
    const stormTicks = await advanceTo(4_000);
    const raisedAt = stormTicks.find((t) => t.raised.length > 0);
    expect(raisedAt?.t).toBe(3_100); // first over-threshold sample at 2 100 + 1 000 ms
    expect(alerts).toMatchObject([
      {
        bdf: NIC,
        index: 'MSIX',
        vector: 0,
        owner: { pid: 4242, comm: 'qemu-system-x86', vm: 'vm1' },
        reason: 'absolute',
        peakRate: 50_000,
        clearedAt: null,
      },
    ]);
    expect(engine.alerts()).toHaveLength(1);
    // 15 000/s: under the threshold, above the clear level (10 000/s): still active
    state.rate = 15_000;
    await advanceTo(6_000);
    expect(engine.alerts()[0]?.clearedAt).toBeNull();
    state.rate = 1_000;
    const calm = await advanceTo(8_000);
    const clearedAt = calm.find((t) => t.cleared.length > 0)?.t;
    expect(clearedAt).toBe(7_100);
    expect(alerts[1]).toMatchObject({ id: alerts[0]?.id, clearedAt: 7_100 });
    expect(eventLog.query({ kinds: ['alert', 'alert-cleared'] }).map((e) => [e.kind, e.ts, e.device])).toEqual([
      ['alert', 3_100, NIC],
      ['alert-cleared', 7_100, NIC],
    ]);
  });

  it('reads /proc/interrupts at most once per observe interval and holds rates between reads', async () => {
    const { engine, state, advanceTo } = setup({ observeIntervalMs: 1_000 });
    await advanceTo(3_000);
    expect(state.irqLinesCalls).toBe(3);
    expect(engine.vectorRates().find((r) => r.vector === 0)?.rate).toBe(1_000);
  });

  it('keeps sampling when a source fails, logging the failure once', async () => {
    const { engine, state, eventLog, advanceTo } = setup();
    await advanceTo(500);
    state.failIrqLines = true;
    const ticks = await advanceTo(1_500);
    expect(ticks).toHaveLength(10);
    expect(eventLog.query({ kinds: ['error'] })).toMatchObject([{ op: 'irqLines', errno: 'EACCES' }]);
    expect(engine.vectorRates()).toHaveLength(2);
  });

  it('writes session actions to the event log when asked', async () => {
    const { session, eventLog, engine } = setup({ logSessionEvents: true });
    await expect(session.openGroup(12)).rejects.toMatchObject({ errno: 'ENOENT' });
    expect(eventLog.query({})).toMatchObject([{ kind: 'error', op: 'openGroup', group: 12, errno: 'ENOENT', data: { failedOp: 'open' } }]);
    engine.dispose();
    await expect(session.openGroup(12)).rejects.toThrow();
    expect(eventLog.query({})).toHaveLength(1);
  });

  it('ticks on its own at the configured rate once started, until stopped', async () => {
    vi.useFakeTimers();
    try {
      const { engine } = setup();
      const seen: number[] = [];
      engine.on('tick', (t) => seen.push(t.seq));
      engine.start();
      await vi.advanceTimersByTimeAsync(350);
      engine.stop();
      await vi.advanceTimersByTimeAsync(500);
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });
});
