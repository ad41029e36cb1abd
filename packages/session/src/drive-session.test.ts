/**
 * DriveSession over the sim's edu host (the kernel model the conformance
 * suite holds to the real kernel), with every kernel call recorded so the
 * order of a teardown can be checked, not just its result.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { VfioError, type Host } from '@vfioscope/host';
import { createSimHost, loadScenario, ManualClock } from '@vfioscope/host-sim';
import { DriveSession } from './drive-session.ts';
import type { SessionEvent } from './session-types.ts';
import { recordCalls } from './testing/record-calls.ts';

const EDU = '0000:00:03.0';
const EDU_GROUP = 3;
const INTX = 0;
const MSI = 1;
/** edu BAR0 registers: raise an interrupt (0x60), acknowledge it (0x64) */
const RAISE = 0x60n;
const ACK = 0x64n;
const le32 = (v: number) => new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);

describe('DriveSession over the sim (type1 container)', () => {
  let host: Host;
  let calls: string[];
  let events: SessionEvent[];
  let session: DriveSession;

  beforeEach(() => {
    const rec = recordCalls(createSimHost({ scenario: loadScenario('edu'), clock: new ManualClock(1_000) }));
    host = rec.host;
    calls = rec.calls;
    events = [];
    session = new DriveSession(host, { onEvent: (e) => events.push(e) });
  });

  const raise = () => session.regionWrite(EDU, 0, RAISE, le32(1));
  const ack = () => session.regionWrite(EDU, 0, ACK, le32(1));

  it('opens a group into a new TYPE1v2 container and lists it', async () => {
    const { group, container } = await session.openGroup(EDU_GROUP);
    expect(group).toBe(EDU_GROUP);
    expect(calls.slice(0, 6)).toEqual([
      'host.hostInfo',
      'host.openContainer',
      'host.openGroup',
      'group.setContainer',
      'container.setIommu',
      'container.iommuInfo',
    ]);
    expect(session.groups()).toEqual([{ group: EDU_GROUP, container, devices: [] }]);
    const [c] = session.containers();
    expect(c).toMatchObject({ id: container, kind: 'type1', groups: [EDU_GROUP], mappingCount: 0, pinnedBytes: 0n });
    expect(c?.iommuInfo?.dmaAvail).toBe((await host.hostInfo()).modules.dmaEntryLimit);
    expect(events.at(-1)).toMatchObject({ op: 'openGroup', ok: true, group: EDU_GROUP, result: { group: EDU_GROUP, container } });
  });

  it("passes the kernel's errno through unchanged and records the failure", async () => {
    const err = await session.openGroup(99).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VfioError);
    expect((err as VfioError).errno).toBe('ENOENT');
    expect(events.at(-1)).toMatchObject({ op: 'openGroup', ok: false, errno: 'ENOENT', failedOp: 'open', group: 99 });
    // the failed attempt left no container behind
    expect(session.containers()).toEqual([]);
    await session.openGroup(EDU_GROUP);
    await expect(session.openGroup(EDU_GROUP)).rejects.toMatchObject({ errno: 'EBUSY' });
    expect(session.groups()).toHaveLength(1);
  });

  it('refuses a device whose group is not open with ENODEV', async () => {
    await expect(session.device(EDU)).rejects.toMatchObject({ errno: 'ENODEV', context: { group: EDU_GROUP, field: 'bdf' } });
    await expect(session.device('0000:99:00.0')).rejects.toMatchObject({ errno: 'ENODEV' });
    expect(calls).not.toContain('group.openDevice');
  });

  it('opens the device fd once, lazily, and reports its state', async () => {
    await session.openGroup(EDU_GROUP);
    const [a, b] = await Promise.all([session.device(EDU), session.device(EDU)]);
    expect(a).toBe(b);
    expect(calls.filter((c) => c === 'group.openDevice')).toHaveLength(1);
    const state = await session.deviceState(EDU);
    expect(state.regions[0]).toMatchObject({ size: 0x100000n, error: null });
    expect(state.irqs[INTX]).toMatchObject({ name: 'INTX', count: 1, enabled: false, masked: [false], vectorsWired: 0 });
    expect(state.irqs[MSI]).toMatchObject({ name: 'MSI', count: 1, masked: null });
    expect(session.groups()[0]?.devices).toEqual([EDU]);
  });

  it('wires INTx, counts a fire, tracks the auto-mask until unmask', async () => {
    await session.openGroup(EDU_GROUP);
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    expect(session.wiredVectors()).toMatchObject([{ key: `${EDU}/INTX/0`, index: INTX, indexName: 'INTX', vector: 0 }]);
    await raise();
    let state = await session.deviceState(EDU);
    expect(state.irqs[INTX]).toMatchObject({ enabled: true, masked: [true], vectorsWired: 1 });
    // the state query polled the eventfd, but the count waits for the sampler
    expect(await session.drainCounts()).toEqual(new Map([[`${EDU}/INTX/0`, 1]]));
    expect(await session.drainCounts()).toEqual(new Map([[`${EDU}/INTX/0`, 0]]));
    await ack();
    await session.setIrqs(EDU, { index: INTX, action: 'unmask', start: 0, count: 1 });
    state = await session.deviceState(EDU);
    expect(state.irqs[INTX]?.masked).toEqual([false]);
    await session.setIrqs(EDU, { index: INTX, action: 'mask', start: 0, count: 1 });
    expect((await session.deviceState(EDU)).irqs[INTX]?.masked).toEqual([true]);
  });

  it('drains every wired eventfd in one host call', async () => {
    await session.openGroup(EDU_GROUP);
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await raise();
    const before = calls.filter((c) => c === 'host.drainEventFds').length;
    const counts = await session.drainCounts();
    expect(calls.filter((c) => c === 'host.drainEventFds').length - before).toBe(1);
    expect([...counts]).toEqual([[`${EDU}/INTX/0`, 1]]);
  });

  it('refuses a trigger beyond the index before creating eventfds; the kernel judges the rest', async () => {
    await session.openGroup(EDU_GROUP);
    await expect(session.setIrqs(EDU, { index: MSI, action: 'trigger', start: 0, count: 1000 })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'count' },
    });
    await expect(session.setIrqs(EDU, { index: 9, action: 'trigger', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'EINVAL',
      op: 'VFIO_DEVICE_GET_IRQ_INFO',
    });
    // vfio-pci has no mask handler for MSI: the kernel's ENOTTY
    await expect(session.setIrqs(EDU, { index: MSI, action: 'mask', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'ENOTTY',
      op: 'VFIO_DEVICE_SET_IRQS',
    });
    await expect(session.setIrqs(EDU, { index: MSI, action: 'bogus' as 'mask', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'action' },
    });
    expect(session.wiredVectors()).toEqual([]);
    expect(calls).not.toContain('host.createEventFd');
  });

  it('disables an index, closing its eventfds and keeping their last counts', async () => {
    await session.openGroup(EDU_GROUP);
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await raise();
    await session.setIrqs(EDU, { index: INTX, action: 'disable', start: 0, count: 0 });
    expect(session.wiredVectors()).toEqual([]);
    expect((await session.drainCounts()).get(`${EDU}/INTX/0`)).toBe(1);
    // the index is free again: wiring it anew works
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    expect(session.wiredVectors()).toHaveLength(1);
  });

  it('maps DMA into a table, pages it, and unmaps ranges and all', async () => {
    const { container } = await session.openGroup(EDU_GROUP);
    const row = await session.mapDma(container, { iova: 0x10000n, size: 0x2000n, read: true, write: true });
    expect(row).toMatchObject({ iova: 0x10000n, size: 0x2000n, read: true, write: true, pages: 2 });
    await session.mapDma(container, { iova: 0x1000n, size: 0x1000n, read: true, write: false });
    await session.mapDma(container, { iova: 0x40000n, size: 0x4000n, read: false, write: true });
    expect(session.mappings(container, 0, 10).rows.map((r) => r.iova)).toEqual([0x1000n, 0x10000n, 0x40000n]);
    expect(session.mappings(container, 1, 1)).toMatchObject({ total: 3, rows: [{ iova: 0x10000n }] });
    expect(session.mappings(container, 0, 10, { by: 'size', order: 'desc' }).rows.map((r) => r.size)).toEqual([0x4000n, 0x2000n, 0x1000n]);
    expect(session.containers()[0]).toMatchObject({ mappingCount: 3, pinnedBytes: 0x7000n });

    await expect(session.mapDma(container, { iova: 0x11000n, size: 0x1000n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EEXIST',
    });
    expect(events.at(-1)).toMatchObject({
      op: 'mapDma',
      ok: false,
      errno: 'EEXIST',
      container,
      params: { iova: '0x11000', size: '0x1000' },
    });
    const allocs = calls.filter((c) => c === 'host.allocDmaBuffer').length;
    // refused before a buffer is allocated, with the kernel's errno for this path
    await expect(session.mapDma(container, { iova: 0n, size: 0x1800n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'size' },
    });
    await expect(session.mapDma(container, { iova: 0n, size: 0n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'size' },
    });
    await expect(session.mapDma(container, { iova: 0xffff_ffff_ffff_f000n, size: 0x2000n, read: true, write: true })).rejects.toMatchObject(
      {
        errno: 'EINVAL',
        context: { field: 'size' },
      },
    );
    expect(calls.filter((c) => c === 'host.allocDmaBuffer').length).toBe(allocs);
    await expect(session.mapDma(container + 1, { iova: 0n, size: 0x1000n, read: true, write: true })).rejects.toMatchObject({
      errno: 'ENOENT',
      context: { field: 'container' },
    });

    await expect(session.unmapDma(container, { iova: 0x10000n, size: 0x1000n })).rejects.toMatchObject({ errno: 'EINVAL' });
    expect(await session.unmapDma(container, { iova: 0x100000n, size: 0x1000n })).toEqual({ unmappedBytes: 0n, removed: 0 });
    expect(await session.unmapDma(container, { iova: 0n, size: 0x20000n })).toEqual({ unmappedBytes: 0x3000n, removed: 2 });
    expect(session.mappings(container, 0, 10).rows.map((r) => r.iova)).toEqual([0x40000n]);
    expect(await session.unmapDma(container, { all: true })).toEqual({ unmappedBytes: 0x4000n, removed: 1 });
    expect(session.containers()[0]).toMatchObject({ mappingCount: 0, pinnedBytes: 0n });
  });

  it("closes a group in the kernel's teardown order: IRQs off, unmap all, device closed, unset, group closed, container closed", async () => {
    const { container } = await session.openGroup(EDU_GROUP);
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.mapDma(container, { iova: 0x10000n, size: 0x1000n, read: true, write: true });
    const mark = calls.length;
    await session.closeGroup(EDU_GROUP);
    // the calls that change kernel state (queries such as irqInfo left out)
    const kernel = calls.slice(mark).filter((c) => /^(device|container|group|ioas|iommufd|cdev)\./.test(c) && !/Info$/.test(c));
    expect(kernel).toEqual([
      'device.setIrqs',
      'container.unmapDma',
      'device.close',
      'group.unsetContainer',
      'group.close',
      'container.close',
    ]);
    expect(session.groups()).toEqual([]);
    expect(session.containers()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ op: 'closeGroup', ok: true, group: EDU_GROUP });
    await expect(session.closeGroup(EDU_GROUP)).rejects.toMatchObject({ errno: 'ENOENT', context: { field: 'group' } });
    // released in the kernel: the group opens again
    await expect(session.openGroup(EDU_GROUP)).resolves.toMatchObject({ group: EDU_GROUP });
  });

  it('close() releases everything it holds', async () => {
    const { container } = await session.openGroup(EDU_GROUP);
    await session.openGroup(4, { container });
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.mapDma(container, { iova: 0n, size: 0x1000n, read: true, write: true });
    await session.close();
    expect(session.wiredVectors()).toEqual([]);
    expect(session.groups()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ op: 'close', ok: true });
    // nothing held in the kernel: both groups open again from a fresh session
    const again = new DriveSession(host);
    await again.openGroup(EDU_GROUP);
    await again.openGroup(4);
    await again.close();
  });

  it('records region accesses with JSON-safe parameters', async () => {
    await session.openGroup(EDU_GROUP);
    const data = await session.regionRead(EDU, 0, 0x0n, 4);
    expect(data.length).toBe(4);
    await session.regionWrite(EDU, 0, 0x4n, le32(0x12345678));
    await expect(session.regionRead(EDU, 9, 0x0n, 4)).rejects.toMatchObject({ errno: 'EINVAL' });
    await expect(session.reset(EDU)).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_RESET' });
    expect(events.map((e) => [e.op, e.ok])).toContainEqual(['openDevice', true]);
    expect(events.find((e) => e.op === 'regionRead')).toMatchObject({
      ok: true,
      device: EDU,
      params: { index: 0, offset: '0x0', size: 4 },
    });
    expect(events.find((e) => e.op === 'regionWrite')).toMatchObject({ ok: true, params: { offset: '0x4', data: '78563412' } });
    expect(events.at(-1)).toMatchObject({ op: 'reset', ok: false, errno: 'EINVAL', device: EDU });
    expect(JSON.parse(JSON.stringify(events))).toHaveLength(events.length);
  });
});
