/**
 * DriveSession on the iommufd paths of the sim's 6.12 edu host: the native
 * path (an IOAS, the edu attached through its cdev) and iommufd's compat
 * container. Same session API as on type1; the kernel behind it answers with
 * its own rules, and the teardown keeps the one order.
 */
import { describe, expect, it } from 'vitest';
import { createSimHost, loadScenario, ManualClock } from '@vfioscope/host-sim';
import { DriveSession } from './drive-session.ts';
import { recordCalls } from './testing/record-calls.ts';

const EDU = '0000:00:03.0';
const EDU_GROUP = 3;
const INTX = 0;
const le32 = (v: number) => new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);

function on612(scenario: 'edu-6.12' | 'edu-6.12-compat', iommu: 'auto' | 'type1' | 'iommufd') {
  const { host, calls } = recordCalls(createSimHost({ scenario: loadScenario(scenario), clock: new ManualClock(1_000) }));
  return { host, calls, session: new DriveSession(host, { iommu }) };
}

describe('DriveSession on iommufd (6.12 sim)', () => {
  it('auto takes the native path where the kernel has /dev/iommu and the device cdev: an IOAS, the device bound and attached', async () => {
    const { session, calls } = on612('edu-6.12', 'auto');
    expect(await session.iommuKind()).toBe('iommufd');
    const { container } = await session.openGroup(EDU_GROUP);
    expect(calls.filter((c) => !c.startsWith('host.topology') && !c.endsWith('Info')).slice(0, 6)).toEqual([
      'host.openIommufd',
      'iommufd.allocIoas',
      'host.openDeviceCdev',
      'cdev.bind',
      'cdev.attach',
      'ioas.iovaRanges',
    ]);
    const [c] = session.containers();
    expect(c).toMatchObject({ id: container, kind: 'iommufd', groups: [EDU_GROUP] });
    expect(c?.iommuInfo?.dmaAvail).toBeNull();
    // attached: the ranges are the domain's (the MSI window reserved), no longer the whole 64-bit space
    expect(c?.iommuInfo?.iovaRanges.length).toBeGreaterThan(1);
  });

  it("maps and unmaps in the IOAS with iommufd's own errnos, and wires INTx through the cdev", async () => {
    const { session } = on612('edu-6.12', 'iommufd');
    const { container } = await session.openGroup(EDU_GROUP);
    await session.mapDma(container, { iova: 0x100000n, size: 0x4000n, read: true, write: true });
    await expect(session.mapDma(container, { iova: 0x101000n, size: 0x1000n, read: true, write: true })).rejects.toMatchObject({
      errno: 'EEXIST',
    });
    // a wrap is EOVERFLOW on iommufd (type1: EINVAL), refused before a buffer is allocated
    await expect(session.mapDma(container, { iova: 0xffff_ffff_ffff_f000n, size: 0x2000n, read: true, write: true })).rejects.toMatchObject(
      {
        errno: 'EOVERFLOW',
        op: 'IOMMU_IOAS_MAP',
      },
    );
    // an unmap that would split a mapping: ENOENT on an IOAS (type1: EINVAL)
    await expect(session.unmapDma(container, { iova: 0x101000n, size: 0x1000n })).rejects.toMatchObject({ errno: 'ENOENT' });
    expect(await session.unmapDma(container, { iova: 0x100000n, size: 0x4000n })).toEqual({ unmappedBytes: 0x4000n, removed: 1 });
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.regionWrite(EDU, 0, 0x60n, le32(1));
    expect((await session.drainCounts()).get(`${EDU}/INTX/0`)).toBe(1);
    expect((await session.deviceState(EDU)).irqs[INTX]?.masked).toEqual([true]);
  });

  it("closes in the kernel's order: IRQs off, the IOAS emptied, the cdev closed, the IOAS destroyed, /dev/iommu closed", async () => {
    const { session, calls, host } = on612('edu-6.12', 'iommufd');
    const { container } = await session.openGroup(EDU_GROUP);
    await session.setIrqs(EDU, { index: INTX, action: 'trigger', start: 0, count: 1 });
    await session.mapDma(container, { iova: 0x100000n, size: 0x1000n, read: true, write: true });
    const mark = calls.length;
    await session.closeGroup(EDU_GROUP);
    const kernel = calls.slice(mark).filter((c) => /^(cdev|ioas|iommufd)\./.test(c) && !/Info$|Ranges$/.test(c));
    expect(kernel).toEqual(['cdev.setIrqs', 'ioas.unmap', 'cdev.close', 'ioas.destroy', 'iommufd.close']);
    expect(session.containers()).toEqual([]);
    // released: the group can be taken through its group file again (a bound cdev would make that EBUSY)
    const group = await host.openGroup(EDU_GROUP);
    await group.close();
  });

  it("type1 on a kernel whose container iommufd serves (compat): the legacy uAPI, iommufd's answers", async () => {
    const { session } = on612('edu-6.12-compat', 'type1');
    expect(await session.iommuKind()).toBe('iommufd-compat');
    const { container } = await session.openGroup(EDU_GROUP);
    expect(session.containers()[0]).toMatchObject({ kind: 'iommufd-compat' });
    // compat counts no mappings: dma_avail is a constant
    expect(session.containers()[0]?.iommuInfo?.dmaAvail).toBe(4294967295);
    await session.mapDma(container, { iova: 0x100000n, size: 0x1000n, read: true, write: true });
    await expect(session.mapDma(container, { iova: 0xffff_ffff_ffff_f000n, size: 0x2000n, read: true, write: true })).rejects.toMatchObject(
      {
        errno: 'EOVERFLOW',
      },
    );
    await session.close();
  });

  it('iommufd on a 6.1 kernel is refused with the reason', async () => {
    const { host } = recordCalls(createSimHost({ scenario: loadScenario('edu'), clock: new ManualClock(1_000) }));
    const session = new DriveSession(host, { iommu: 'iommufd' });
    await expect(session.iommuKind()).rejects.toMatchObject({ errno: 'ENOENT', message: expect.stringContaining('/dev/iommu: no') });
    await expect(session.openGroup(EDU_GROUP)).rejects.toMatchObject({ errno: 'ENOENT' });
  });
});
