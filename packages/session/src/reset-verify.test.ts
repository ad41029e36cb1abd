/**
 * Reset verification and hot reset through the session, on the sim's default
 * host: its NVMe (b2:00.0) resets and comes back; its second GPU (98:00.0,
 * sharing bus 0x98 with its HDMI audio) does not come back from its second
 * reset — the reset at first open is its first.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { VfioError } from '@vfioscope/host';
import { createSimHost, ManualClock, type SimHost } from '@vfioscope/host-sim';
import { DriveSession } from './drive-session.ts';
import type { SessionEvent } from './session-types.ts';

const NVME = '0000:b2:00.0';
const GPU = '0000:98:00.0';
const AUDIO = '0000:98:00.1';

let host: SimHost;
let events: SessionEvent[];
let session: DriveSession;

beforeEach(() => {
  host = createSimHost({ scenario: 'default', clock: new ManualClock(1_000), pid: 9000 });
  events = [];
  session = new DriveSession(host, { iommu: 'type1', onEvent: (e) => events.push(e) });
});

const groupOf = async (bdf: string) => (await host.topology()).devices.find((d) => d.bdf === bdf)!.iommuGroup!;

describe('reset verification', () => {
  it('reads the ids and header type back after VFIO_DEVICE_RESET and says the device came back', async () => {
    await session.openGroup(await groupOf(NVME));
    const v = await session.reset(NVME);
    expect(v).toMatchObject({ bdf: NVME, how: 'function', vendorId: 0x144d, headerType: 0, cameBack: true });
    expect(session.lastReset(NVME)).toEqual(v);
    const e = events.find((x) => x.op === 'reset')!;
    expect(e.ok).toBe(true);
    expect(e.warning).toBeUndefined();
  });

  it('says a GPU that reads all-ones after its reset did not come back, in the answer and as the event warning', async () => {
    await host.bindDriver(AUDIO, 'vfio-pci');
    await session.openGroup(await groupOf(GPU));
    const v = await session.reset(GPU);
    expect(v.cameBack).toBe(false);
    expect(v.headerType).toBe(0xff);
    expect(v.summary).toContain('did not come back');
    const e = events.find((x) => x.op === 'reset')!;
    expect(e.ok).toBe(true);
    expect(e.warning).toBe(v.summary);
    expect(session.lastReset(GPU)?.cameBack).toBe(false);
  });
});

describe('hot reset', () => {
  it('lists what a bus reset takes along and performs it with every affected group held', async () => {
    await host.bindDriver(AUDIO, 'vfio-pci');
    const group = await groupOf(GPU);
    await session.openGroup(group);
    expect((await session.hotResetInfo(GPU)).devices).toEqual([
      { bdf: GPU, id: group },
      { bdf: AUDIO, id: group },
    ]);
    await session.device(AUDIO);
    const r = await session.hotReset(GPU);
    expect(r.affected.map((d) => d.bdf)).toEqual([GPU, AUDIO]);
    // the GPU's second reset (the first was at open): gone; its audio function came back
    expect(r.verifications.map((v) => [v.bdf, v.how, v.cameBack])).toEqual([
      [GPU, 'hot', false],
      [AUDIO, 'hot', true],
    ]);
    expect(events.find((x) => x.op === 'hotReset')!.warning).toContain(`${GPU} did not come back`);
  });

  it('keeps the kernel errno: ENODEV where no bus reset can reach the device (edu on the root bus)', async () => {
    host = createSimHost({ scenario: 'edu', clock: new ManualClock(1_000), pid: 9000 });
    session = new DriveSession(host, { iommu: 'type1', onEvent: (e) => events.push(e) });
    const edu = (await host.topology()).devices.find((d) => d.deviceId === 0x11e8)!;
    await session.openGroup(edu.iommuGroup!);
    const err = await session.hotReset(edu.bdf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VfioError);
    expect((err as VfioError).errno).toBe('ENODEV');
    expect(events.find((x) => x.op === 'hotReset')).toMatchObject({ ok: false, errno: 'ENODEV' });
  });
});

describe('hot reset on the iommufd path (Linux 6.12, the device cdev)', () => {
  it("passes no group fds — the cdev's iommufd proves ownership — and verifies the function", async () => {
    host = createSimHost({ scenario: 'default', clock: new ManualClock(1_000), pid: 9000, kernel: '6.12.0' });
    session = new DriveSession(host, { iommu: 'iommufd', onEvent: (e) => events.push(e) });
    await session.openGroup(await groupOf(NVME));
    const r = await session.hotReset(NVME);
    expect(r.affected.map((d) => d.bdf)).toEqual([NVME]);
    expect(r.verifications).toMatchObject([{ bdf: NVME, how: 'hot', cameBack: true }]);
  });
});
