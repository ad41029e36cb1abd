import { beforeEach, describe, expect, it } from 'vitest';
import { VfioError } from '../errors.ts';
import { DriveSession } from './drive-session.ts';
import type { SessionEvent } from './session-types.ts';
import { createFakeHost, FAKE_BDF, FAKE_GROUP, type FakeHost } from './testing/fake-host.ts';

const INTX = 0;
const MSI = 1;

describe('DriveSession over a fake host', () => {
  let host: FakeHost;
  let events: SessionEvent[];
  let session: DriveSession;

  beforeEach(() => {
    host = createFakeHost();
    events = [];
    session = new DriveSession(host, { onEvent: (e) => events.push(e) });
  });

  it('opens a group into a new TYPE1v2 container and lists it', async () => {
    const { group, container } = await session.openGroup(FAKE_GROUP);
    expect(group).toBe(FAKE_GROUP);
    expect(host.calls.slice(0, 4)).toEqual([
      `openGroup(${FAKE_GROUP})`,
      `openContainer -> ${container}`,
      'group.setContainer',
      `container${container}.setIommu`,
    ]);
    expect(session.groups()).toEqual([{ group: FAKE_GROUP, container, devices: [] }]);
    const [c] = session.containers();
    expect(c).toMatchObject({ id: container, groups: [FAKE_GROUP], mappingCount: 0, pinnedBytes: 0n });
    expect(c?.iommuInfo?.dmaAvail).toBe(65535);
    expect(events.at(-1)).toMatchObject({ op: 'openGroup', ok: true, group: FAKE_GROUP, result: { group: FAKE_GROUP, container } });
  });

  it('passes the kernel errno through unchanged and records the failure', async () => {
    const err = await session.openGroup(99).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VfioError);
    expect((err as VfioError).errno).toBe('ENOENT');
    expect(events.at(-1)).toMatchObject({ op: 'openGroup', ok: false, errno: 'ENOENT', failedOp: 'open', group: 99 });
    // a second open of a held group is the kernel's EBUSY
    await session.openGroup(FAKE_GROUP);
    await expect(session.openGroup(FAKE_GROUP)).rejects.toMatchObject({ errno: 'EBUSY' });
    expect(session.groups()).toHaveLength(1);
  });

  it('refuses a device whose group is not open with ENODEV', async () => {
    await expect(session.device(FAKE_BDF)).rejects.toMatchObject({ errno: 'ENODEV', context: { group: FAKE_GROUP, field: 'bdf' } });
    await expect(session.device('0000:99:00.0')).rejects.toMatchObject({ errno: 'ENODEV' });
    expect(host.calls.some((c) => c.startsWith('group.openDevice'))).toBe(false);
  });

  it('opens the device fd once, lazily, and reports its state', async () => {
    await session.openGroup(FAKE_GROUP);
    const [a, b] = await Promise.all([session.device(FAKE_BDF), session.device(FAKE_BDF)]);
    expect(a).toBe(b);
    expect(host.calls.filter((c) => c.startsWith('group.openDevice'))).toHaveLength(1);
    const state = await session.deviceState(FAKE_BDF);
    expect(state.regions).toHaveLength(9);
    expect(state.regions[0]).toMatchObject({ size: 4096n, error: null });
    expect(state.regions[8]).toMatchObject({ size: 0n, error: 'EINVAL' });
    expect(state.irqs[INTX]).toMatchObject({ name: 'INTX', count: 1, enabled: false, masked: [false], vectorsWired: 0 });
    expect(state.irqs[MSI]).toMatchObject({ name: 'MSI', count: 4, masked: null });
    expect(session.groups()[0]?.devices).toEqual([FAKE_BDF]);
  });

  it('wires INTx, counts a fire, tracks the auto-mask until unmask', async () => {
    await session.openGroup(FAKE_GROUP);
    await session.setIrqs(FAKE_BDF, { index: INTX, action: 'trigger', start: 0, count: 1 });
    expect(session.wiredVectors()).toMatchObject([{ key: `${FAKE_BDF}/INTX/0`, index: INTX, indexName: 'INTX', vector: 0 }]);
    host.fire(INTX, 0);
    host.fire(INTX, 0); // masked: not delivered
    let state = await session.deviceState(FAKE_BDF);
    expect(state.irqs[INTX]).toMatchObject({ enabled: true, masked: [true], vectorsWired: 1 });
    // the state query polled the eventfd, but the count waits for the sampler
    expect(await session.drainCounts()).toEqual(new Map([[`${FAKE_BDF}/INTX/0`, 1]]));
    expect(await session.drainCounts()).toEqual(new Map([[`${FAKE_BDF}/INTX/0`, 0]]));
    await session.setIrqs(FAKE_BDF, { index: INTX, action: 'unmask', start: 0, count: 1 });
    state = await session.deviceState(FAKE_BDF);
    expect(state.irqs[INTX]?.masked).toEqual([false]);
    host.fire(INTX, 0);
    await session.setIrqs(FAKE_BDF, { index: INTX, action: 'mask', start: 0, count: 1 });
    expect((await session.deviceState(FAKE_BDF)).irqs[INTX]?.masked).toEqual([true]);
    expect((await session.drainCounts()).get(`${FAKE_BDF}/INTX/0`)).toBe(1);
  });

  it('drains every wired eventfd in one host call', async () => {
    await session.openGroup(FAKE_GROUP);
    await session.setIrqs(FAKE_BDF, { index: MSI, action: 'trigger', start: 0, count: 4 });
    host.fire(MSI, 1, 5);
    host.fire(MSI, 3, 2);
    const before = host.calls.filter((c) => c.startsWith('drainEventFds')).length;
    const counts = await session.drainCounts();
    expect(host.calls.filter((c) => c.startsWith('drainEventFds')).slice(before)).toEqual(['drainEventFds(4)']);
    expect([...counts]).toEqual([
      [`${FAKE_BDF}/MSI/0`, 0],
      [`${FAKE_BDF}/MSI/1`, 5],
      [`${FAKE_BDF}/MSI/2`, 0],
      [`${FAKE_BDF}/MSI/3`, 2],
    ]);
  });

  it('refuses a trigger beyond the index before creating eventfds; the kernel judges the rest', async () => {
    await session.openGroup(FAKE_GROUP);
    await expect(session.setIrqs(FAKE_BDF, { index: MSI, action: 'trigger', start: 2, count: 1000 })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'count' },
    });
    await expect(session.setIrqs(FAKE_BDF, { index: 9, action: 'trigger', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'EINVAL',
      op: 'VFIO_DEVICE_GET_IRQ_INFO',
    });
    await expect(session.setIrqs(FAKE_BDF, { index: MSI, action: 'mask', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'EINVAL',
      op: 'VFIO_DEVICE_SET_IRQS',
    });
    await expect(session.setIrqs(FAKE_BDF, { index: MSI, action: 'bogus' as 'mask', start: 0, count: 1 })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'action' },
    });
    expect(session.wiredVectors()).toEqual([]);
    expect(events.filter((e) => e.op === 'setIrqs').every((e) => !e.ok && e.errno === 'EINVAL')).toBe(true);
  });

  it('disables an index, closing its eventfds and keeping their last counts', async () => {
    await session.openGroup(FAKE_GROUP);
    await session.setIrqs(FAKE_BDF, { index: MSI, action: 'trigger', start: 0, count: 2 });
    const fds = session.wiredVectors().map((v) => v.eventfd);
    host.fire(MSI, 0, 3);
    await session.setIrqs(FAKE_BDF, { index: MSI, action: 'disable', start: 0, count: 0 });
    expect(session.wiredVectors()).toEqual([]);
    expect(fds.every((fd) => (fd as unknown as { closed: boolean }).closed)).toBe(true);
    expect((await session.drainCounts()).get(`${FAKE_BDF}/MSI/0`)).toBe(3);
    expect(host.wired.has(MSI)).toBe(false);
  });

  it('maps DMA into a table, pages it, and unmaps ranges and all', async () => {
    const { container } = await session.openGroup(FAKE_GROUP);
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
    await expect(session.mapDma(container, { iova: 0n, size: 0x1800n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'size' },
    });
    await expect(session.mapDma(container, { iova: 0n, size: 0n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EINVAL',
      context: { field: 'size' },
    });
    await expect(session.mapDma(container, { iova: 0xffff_ffff_ffff_f000n, size: 0x2000n, read: true, write: true })).rejects.toMatchObject(
      { errno: 'EINVAL', context: { field: 'size' } },
    );
    await expect(session.mapDma(container + 1, { iova: 0n, size: 0x1000n, read: true, write: true })).rejects.toMatchObject({
      errno: 'ENOENT',
      context: { field: 'container' },
    });
    // failed maps leave no buffer behind: 3 buffers + container + group
    expect([...host.openFds].filter((f) => f.startsWith('buffer'))).toHaveLength(3);

    await expect(session.unmapDma(container, { iova: 0x10000n, size: 0x1000n })).rejects.toMatchObject({ errno: 'EINVAL' });
    expect(await session.unmapDma(container, { iova: 0x100000n, size: 0x1000n })).toEqual({ unmappedBytes: 0n, removed: 0 });
    expect(await session.unmapDma(container, { iova: 0n, size: 0x20000n })).toEqual({ unmappedBytes: 0x3000n, removed: 2 });
    expect(session.mappings(container, 0, 10).rows.map((r) => r.iova)).toEqual([0x40000n]);
    expect(await session.unmapDma(container, { all: true })).toEqual({ unmappedBytes: 0x4000n, removed: 1 });
    expect(session.containers()[0]).toMatchObject({ mappingCount: 0, pinnedBytes: 0n });
    expect([...host.openFds].filter((f) => f.startsWith('buffer'))).toHaveLength(0);
  });

  it('closes a group in the kernel order: IRQs off, device closed, unmap all, unset, close', async () => {
    const { container } = await session.openGroup(FAKE_GROUP);
    await session.setIrqs(FAKE_BDF, { index: MSI, action: 'trigger', start: 0, count: 2 });
    await session.mapDma(container, { iova: 0x10000n, size: 0x1000n, read: true, write: true });
    const mark = host.calls.length;
    await session.closeGroup(FAKE_GROUP);
    expect(host.calls.slice(mark).filter((c) => !c.startsWith('drainEventFds'))).toEqual([
      'device.setIrqs(1,32,0,0)',
      'device.close',
      `container${container}.unmapDma`,
      'group.unsetContainer',
      'group.close',
      `container${container}.close`,
    ]);
    expect(session.groups()).toEqual([]);
    expect(session.containers()).toEqual([]);
    expect(host.openFds.size).toBe(0);
    expect(events.at(-1)).toMatchObject({ op: 'closeGroup', ok: true, group: FAKE_GROUP });
    await expect(session.closeGroup(FAKE_GROUP)).rejects.toMatchObject({ errno: 'ENOENT', context: { field: 'group' } });
  });

  it('close() releases everything it holds', async () => {
    const { container } = await session.openGroup(FAKE_GROUP);
    await session.setIrqs(FAKE_BDF, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.mapDma(container, { iova: 0n, size: 0x1000n, read: true, write: true });
    await session.close();
    expect(host.openFds.size).toBe(0);
    expect(session.wiredVectors()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ op: 'close', ok: true });
  });

  it('records region accesses with JSON-safe parameters', async () => {
    await session.openGroup(FAKE_GROUP);
    const data = await session.regionRead(FAKE_BDF, 0, 0x10n, 4);
    expect([...data]).toEqual([0xab, 0xab, 0xab, 0xab]);
    await session.regionWrite(FAKE_BDF, 0, 0x60n, new Uint8Array([1, 0, 0, 0]));
    await expect(session.regionRead(FAKE_BDF, 0, 0x1000n, 4)).rejects.toMatchObject({ errno: 'EINVAL' });
    await expect(session.reset(FAKE_BDF)).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_RESET' });
    const ops = events.map((e) => [e.op, e.ok]);
    expect(ops).toContainEqual(['openDevice', true]);
    expect(events.find((e) => e.op === 'regionRead')).toMatchObject({
      ok: true,
      device: FAKE_BDF,
      params: { index: 0, offset: '0x10', size: 4 },
      result: { data: 'abababab' },
    });
    expect(events.find((e) => e.op === 'regionWrite')).toMatchObject({ ok: true, params: { offset: '0x60', data: '01000000' } });
    expect(events.at(-1)).toMatchObject({ op: 'reset', ok: false, errno: 'EINVAL', device: FAKE_BDF });
    expect(JSON.parse(JSON.stringify(events))).toHaveLength(events.length);
  });
});
