/**
 * The telemetry engine over the simulated host: the storm scenario's VM-owned
 * vectors raise and clear alerts, and an edu interrupt vfioscope raises itself
 * (a BAR0 write to 0x60) shows up as an owned vector rate; the default
 * scenario, busy but storm-free (bursty NVMe, a flapping VF), raises nothing.
 */
import type { Host } from '@vfioscope/host';
import { DriveSession } from '@vfioscope/session';
import { createSimHost, ManualClock, STORM_INTX_START_MS, STORM_MSIX_START_MS } from '@vfioscope/host-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { TelemetryEngine } from './telemetry-engine.ts';
import type { StormAlert, TelemetryTick } from './telemetry-types.ts';

const INTX = 0;
const BAR0 = 0;
const EDU_IRQ_RAISE = 0x60n;
const EDU_IRQ_ACK = 0x64n;

const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);

function start(scenario: 'storm' | 'edu' | 'default') {
  const clock = new ManualClock(0);
  const host = createSimHost({ scenario, clock });
  const session = new DriveSession(host);
  const eventLog = new EventLog(null, { clock: () => clock.now() });
  const engine = new TelemetryEngine({ host, session, eventLog, tickHz: 10, clock: () => clock.now(), logSessionEvents: true });
  const run = async (untilMs: number): Promise<TelemetryTick[]> => {
    const ticks: TelemetryTick[] = [];
    while (clock.now() < untilMs) {
      clock.advance(100);
      ticks.push(await engine.tick());
    }
    return ticks;
  };
  return { clock, host, session, eventLog, engine, run };
}

async function eduDevice(host: Host) {
  const topology = await host.topology();
  const edu = topology.devices.find(
    (d) =>
      d.vendorId === 0x1234 &&
      d.deviceId === 0x11e8 &&
      d.driver === 'vfio-pci' &&
      topology.groups.find((g) => g.id === d.iommuGroup)?.viable,
  );
  if (!edu || edu.iommuGroup === null) throw new Error('the scenario has no usable edu device');
  return { bdf: edu.bdf, group: edu.iommuGroup };
}

describe('telemetry over the sim', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  it('raises alerts for the storm scenario (MSI-X absolute, INTx unmask loop) with the VM as owner', async () => {
    const { engine, eventLog, run, host, session } = start('storm');
    cleanup.push(
      () => session.close(),
      () => host.close(),
    );
    const alerts: StormAlert[] = [];
    engine.on('alert', (a) => alerts.push(a));

    await run(STORM_MSIX_START_MS - 100);
    expect(engine.alerts()).toEqual([]);
    // every VM-owned vector is visible with its owner before anything storms
    const vf = engine.vectorRates().find((r) => r.index === 'MSIX' && r.vector === 0 && r.owner?.comm === 'qemu-system-x86');
    expect(vf).toBeDefined();
    expect(vf?.source).toBe('observed');
    expect(vf?.rate).toBeGreaterThan(250); // 200/s storm base + 100/s steady load
    expect(vf?.rate).toBeLessThan(350);

    await run(STORM_INTX_START_MS + 2_000);
    const msix = alerts.find((a) => a.index === 'MSIX');
    expect(msix).toMatchObject({
      bdf: vf?.bdf,
      vector: 0,
      reason: 'absolute',
      owner: { pid: 7001, comm: 'qemu-system-x86' },
      clearedAt: null,
    });
    expect(msix?.peakRate).toBeGreaterThan(100_000);
    // raised once the storm had lasted the sustain window (1 s), within a tick or two
    expect(msix?.raisedAt).toBeGreaterThanOrEqual(STORM_MSIX_START_MS + 1_000);
    expect(msix?.raisedAt).toBeLessThanOrEqual(STORM_MSIX_START_MS + 1_300);
    const intx = alerts.find((a) => a.index === 'INTX');
    expect(intx).toMatchObject({ vector: 0, reason: 'intx-unmask-loop', owner: { pid: 7001 } });
    expect(intx?.raisedAt).toBeGreaterThanOrEqual(STORM_INTX_START_MS + 1_000);
    expect(
      eventLog
        .query({ kinds: ['alert'] })
        .map((e) => e.device)
        .sort(),
    ).toEqual([msix?.bdf, intx?.bdf].sort());
    // only the storming vectors alert: the VF's other vectors stay at their steady 100/s
    expect(alerts.every((a) => a.vector === 0)).toBe(true);
    expect(engine.history(`${vf?.bdf}/MSIX/0`, '1s').length).toBeGreaterThanOrEqual(6);
  });

  it('raises no alert in the default scenario over 60 s, its flapping VF included', async () => {
    const { engine, eventLog, run, host, session } = start('default');
    cleanup.push(
      () => session.close(),
      () => host.close(),
    );
    const alerts: StormAlert[] = [];
    engine.on('alert', (a) => alerts.push(a));
    const flappingKey = '0000:32:00.4/MSIX/0';
    const seen: number[] = [];
    engine.on('tick', (t) => {
      const r = t.rates.find((x) => x.key === flappingKey);
      if (r) seen.push(r.rate);
    });
    await run(60_000);
    expect(alerts).toEqual([]);
    expect(engine.alerts()).toEqual([]);
    expect(eventLog.query({ kinds: ['alert', 'alert-cleared'] })).toEqual([]);
    // the VF did flap the whole time: 8 000/s and 50/s phases, 10x the floor apart
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(7_900);
    expect(Math.min(...seen.slice(-100))).toBeLessThan(100);
    expect(engine.stormConfig.baselineMultiple * 100).toBeLessThan(8_000);
    // 600 simulated ticks of the default host: ~6 s of CPU alone, 25 s in a loaded full run
  }, 90_000);

  it('shows an edu interrupt raised through a BAR0 write as an owned INTx vector', async () => {
    const { engine, session, run, host, eventLog } = start('edu');
    cleanup.push(
      () => session.close(),
      () => host.close(),
    );
    const edu = await eduDevice(host);
    await session.openGroup(edu.group);
    await session.setIrqs(edu.bdf, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await run(500);
    const key = `${edu.bdf}/INTX/0`;
    expect(engine.vectorRates().find((r) => r.key === key)).toMatchObject({ source: 'owned', count: 0, rate: 0 });

    await session.regionWrite(edu.bdf, BAR0, EDU_IRQ_RAISE, u32(1));
    const [tick] = await run(600);
    expect(tick?.rates.find((r) => r.key === key)).toMatchObject({ source: 'owned', owner: { pid: process.pid }, count: 1, rate: 10 });
    // auto-masked: nothing more arrives until vfioscope unmasks
    expect((await session.deviceState(edu.bdf)).irqs[INTX]?.masked).toEqual([true]);
    await run(1_000);
    expect(engine.vectorRates().find((r) => r.key === key)).toMatchObject({ count: 1, rate: 0 });

    // service the interrupt (ack at 0x64) and unmask, five times within one tick
    for (let i = 0; i < 5; i++) {
      await session.regionWrite(edu.bdf, BAR0, EDU_IRQ_ACK, u32(1));
      await session.setIrqs(edu.bdf, { index: INTX, action: 'unmask', start: 0, count: 1 });
      await session.regionWrite(edu.bdf, BAR0, EDU_IRQ_RAISE, u32(1));
    }
    const [next] = await run(1_100);
    expect(next?.rates.find((r) => r.key === key)).toMatchObject({ count: 6, rate: 50 });
    expect(
      engine
        .history(key, 'tick')
        .slice(-6)
        .map((p) => p.rate),
    ).toEqual([10, 0, 0, 0, 0, 50]);
    expect(engine.alerts()).toEqual([]);
    expect(eventLog.query({ kinds: ['action'], text: 'regionWrite' }).length).toBe(11);
  });

  it('reports vfioscope-owned DMA mappings as pinned memory and DMA entries', async () => {
    const { engine, session, run, host } = start('edu');
    cleanup.push(
      () => session.close(),
      () => host.close(),
    );
    const edu = await eduDevice(host);
    const { container } = await session.openGroup(edu.group);
    await session.mapDma(container, { iova: 0x100000n, size: 0x10000n, read: true, write: true });
    await session.mapDma(container, { iova: 0x200000n, size: 0x1000n, read: true, write: false });
    await run(200);
    const info = await host.hostInfo();
    expect(engine.pinned().find((p) => p.scope === 'container')).toEqual({
      scope: 'container',
      id: container,
      pinnedBytes: 0x11000,
      lockedBytes: 0x11000,
      limitBytes: info.memlockLimit,
    });
    expect(engine.dmaEntries()).toEqual([{ container, used: 2, limit: 65535 }]);
    expect(engine.snapshot().mappings).toEqual([{ container, count: 2, pinnedBytes: 0x11000 }]);
    const self = engine.pinned().find((p) => p.scope === 'process' && p.pid === process.pid);
    expect(self?.comm).toBe('vfioscope');
  });

  it('session teardown over the sim releases the group, its IRQs and its pinned memory', async () => {
    const { engine, session, run, host } = start('edu');
    cleanup.push(() => host.close());
    const edu = await eduDevice(host);
    const { container } = await session.openGroup(edu.group);
    await session.setIrqs(edu.bdf, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.mapDma(container, { iova: 0x100000n, size: 0x4000n, read: true, write: true });
    await run(200);
    expect((await host.owners()).filter((o) => o.self).map((o) => o.group)).toEqual([edu.group]);
    await session.closeGroup(edu.group);
    expect((await host.owners()).filter((o) => o.self)).toEqual([]);
    expect(session.wiredVectors()).toEqual([]);
    await run(400);
    expect(engine.vectorRates().some((r) => r.source === 'owned')).toBe(false);
    expect(engine.pinned().filter((p) => p.scope === 'container')).toEqual([]);
    // the group can be opened again: nothing of ours still holds it
    await expect(session.openGroup(edu.group)).resolves.toMatchObject({ group: edu.group });
    await session.close();
  });
});
