/**
 * Reset over REST on the sim's default host: the device view's reset
 * section, a reset that is verified (the NVMe comes back, the second GPU —
 * which does not come back from its second reset — does not, and the event
 * log says so as an alert), and the hot reset confirmed with the functions it
 * takes along, the kernel's errno kept where it refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conforms, DeviceResponse, HotResetResponse, ResetResponse } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

const NVME = '0000:b2:00.0';
const GPU = '0000:98:00.0';
const AUDIO = '0000:98:00.1';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('default');
});
afterEach(async () => {
  await f.close();
});

const groupOf = async (bdf: string) => (await f.host.topology()).devices.find((d) => d.bdf === bdf)!.iommuGroup!;
const openGroupOf = async (bdf: string) => {
  const r = await f.req({ method: 'POST', url: `/api/v1/groups/${await groupOf(bdf)}/open` });
  expect(r.statusCode, r.body).toBe(200);
};
const takeGpu = async () => {
  expect((await f.req({ method: 'POST', url: `/api/v1/devices/${AUDIO}/bind`, payload: { driver: 'vfio-pci' } })).statusCode).toBe(200);
  await openGroupOf(GPU);
};

describe('the device view says what reset the kernel offers', () => {
  it('shows reset_method without an fd, and VFIO reset and hot-reset dependencies with one', async () => {
    const before = (await f.req({ method: 'GET', url: `/api/v1/devices/${NVME}`, as: 'viewer' })).json();
    expect(conforms(DeviceResponse, before)).toBe(true);
    expect(before.reset).toEqual({ methods: ['flr', 'bus'], vfioReset: null, hotReset: null, last: null });
    await takeGpu();
    const gpu = (await f.req({ method: 'GET', url: `/api/v1/devices/${GPU}`, as: 'viewer' })).json();
    expect(conforms(DeviceResponse, gpu)).toBe(true);
    const group = await groupOf(GPU);
    expect(gpu.reset).toMatchObject({
      vfioReset: true,
      hotReset: {
        devices: [
          { bdf: GPU, id: group },
          { bdf: AUDIO, id: group },
        ],
        devid: false,
        error: null,
      },
      last: null,
    });
  });

  it('shows the kernel errno where no hot reset can reach the device', async () => {
    const edu = await makeFixture('edu');
    try {
      await edu.req({ method: 'POST', url: '/api/v1/groups/3/open' });
      const r = (await edu.req({ method: 'GET', url: '/api/v1/devices/0000:00:03.0', as: 'viewer' })).json();
      expect(r.reset).toMatchObject({ methods: [], vfioReset: false, hotReset: { devices: [], devid: false, error: 'ENODEV' } });
    } finally {
      await edu.close();
    }
  });
});

describe('POST /devices/:bdf/reset', () => {
  it('answers with the verification: the NVMe came back', async () => {
    await openGroupOf(NVME);
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${NVME}/reset` });
    expect(r.statusCode, r.body).toBe(200);
    expect(conforms(ResetResponse, r.json())).toBe(true);
    expect(r.json().verification).toMatchObject({ bdf: NVME, how: 'function', cameBack: true, vendorId: 0x144d });
  });

  it('says the GPU did not come back — in the answer, on the device view and as an alert in the event log', async () => {
    await takeGpu();
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${GPU}/reset` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().verification).toMatchObject({ cameBack: false, headerType: 0xff });
    expect(r.json().verification.summary).toContain('did not come back');
    const view = (await f.req({ method: 'GET', url: `/api/v1/devices/${GPU}`, as: 'viewer' })).json();
    expect(view.reset.last).toMatchObject({ bdf: GPU, cameBack: false });
    const events = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=alert', as: 'viewer' })).json();
    const alert = events.events.find((e: { op?: string }) => e.op === 'reset');
    expect(alert).toMatchObject({ kind: 'alert', device: GPU });
    expect(alert.message).toContain(`${GPU} did not come back`);
    // and an active alert until a reset of it comes back
    const { alerts } = (await f.req({ method: 'GET', url: '/api/v1/alerts', as: 'viewer' })).json();
    expect(alerts).toContainEqual(
      expect.objectContaining({ kind: 'kernel', reason: 'reset-failed', bdf: GPU, group: await groupOf(GPU), clearedAt: null }),
    );
  });
});

describe('POST /devices/:bdf/hot-reset', () => {
  it('resets the bus when the confirmed list is what the kernel names, and verifies the functions', async () => {
    await takeGpu();
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${GPU}/hot-reset`, payload: { affected: [AUDIO, GPU] } });
    expect(r.statusCode, r.body).toBe(200);
    expect(conforms(HotResetResponse, r.json())).toBe(true);
    expect(r.json().affected.map((d: { bdf: string }) => d.bdf)).toEqual([GPU, AUDIO]);
    expect(r.json().verifications.map((v: { bdf: string; cameBack: boolean }) => [v.bdf, v.cameBack])).toContainEqual([GPU, false]);
    expect(f.attempts().some((a) => a.action === 'device.hotReset' && a.ok === true)).toBe(true);
  });

  it('refuses a confirmation that does not list what the reset takes along', async () => {
    await takeGpu();
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${GPU}/hot-reset`, payload: { affected: [GPU] } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'affected' });
    expect(r.json().error.message).toContain(AUDIO);
  });

  it('keeps the kernel errno: ENODEV for edu on the root bus', async () => {
    const edu = await makeFixture('edu');
    try {
      await edu.req({ method: 'POST', url: '/api/v1/groups/3/open' });
      const r = await edu.req({ method: 'POST', url: '/api/v1/devices/0000:00:03.0/hot-reset', payload: { affected: ['0000:00:03.0'] } });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.errno).toBe('ENODEV');
    } finally {
      await edu.close();
    }
  });

  it('is for operators only', async () => {
    await takeGpu();
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${GPU}/hot-reset`, payload: { affected: [GPU, AUDIO] }, as: 'viewer' });
    expect(r.statusCode).toBe(403);
  });
});
