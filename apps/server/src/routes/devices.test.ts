import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conforms, DeviceResponse, httpStatusFor, RegionReadResponse } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

const EDU = '0000:00:03.0';
let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
});
afterEach(async () => {
  await f.close();
});

const open3 = () => f.req({ method: 'POST', url: '/api/v1/groups/3/open' });

describe('GET /devices/:bdf', () => {
  it('shows PCI identity only while vfioscope does not hold the group', async () => {
    const r = await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}`, as: 'viewer' });
    expect(r.statusCode).toBe(200);
    expect(conforms(DeviceResponse, r.json())).toBe(true);
    expect(r.json()).toMatchObject({ bdf: EDU, group: 3, groupOpen: false, state: null });
    expect(r.json().reason).toMatch(/group 3/);
  });

  it('shows regions, IRQ indexes and the decoded config header once the group is open', async () => {
    await open3();
    const r = await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}`, as: 'viewer' });
    const body = r.json();
    expect(conforms(DeviceResponse, body)).toBe(true);
    expect(body.groupOpen).toBe(true);
    expect(body.state.info.flagNames).toContain('PCI');
    expect(body.state.info.flagNames).not.toContain('RESET');
    const bar0 = body.state.regions.find((x: { name: string }) => x.name === 'BAR0');
    expect(bar0.size).toBe('0x100000');
    expect(bar0.flagNames).toEqual(expect.arrayContaining(['READ', 'WRITE']));
    const msi = body.state.irqs.find((q: { name: string }) => q.name === 'MSI');
    expect(msi).toMatchObject({ count: 1, enabled: false, masked: null });
    expect(body.state.config.header).toMatchObject({ vendorId: 0x1234, deviceId: 0x11e8, classCode: 0x00ff00 });
  });

  it('looking never opens a device fd (opening one may reset the function): only taking the group does', async () => {
    await f.req({ method: 'POST', url: '/api/v1/devices/0000:01:02.0/bind', payload: { driver: 'vfio-pci' } });
    const open = await f.req({ method: 'POST', url: '/api/v1/groups/5/open' });
    expect(open.json().devices.sort()).toEqual(['0000:01:01.0', '0000:01:02.0']);
    const device = vi.spyOn(f.app.vfio.ctx.session, 'device');
    const bridge = (await f.req({ method: 'GET', url: '/api/v1/devices/0000:00:05.0', as: 'viewer' })).json();
    expect(bridge).toMatchObject({ groupOpen: true, state: null });
    expect(bridge.reason).toContain("not this device's fd");
    expect(device).not.toHaveBeenCalled();
  });

  it('unknown and malformed BDFs', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/devices/0000:07:00.0' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ errno: 'ENOTFOUND', field: 'bdf' });
    const bad = await f.req({ method: 'GET', url: '/api/v1/devices/not-a-bdf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'bdf' });
    expect(bad.json().error.message).toContain('PCI address');
  });
});

describe('POST /devices/:bdf/reset', () => {
  it('needs the group open (ENODEV) and gets EINVAL from the kernel for edu, which has no reset', async () => {
    const reset = vi.spyOn(f.app.vfio.ctx.session, 'reset');
    const closed = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/reset` });
    expect(closed.statusCode).toBe(404);
    expect(closed.json().error).toMatchObject({ errno: 'ENODEV', field: 'bdf' });
    expect(reset).not.toHaveBeenCalled();
    await open3();
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/reset` });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.errno).toBe('EINVAL');
    expect(r.json().error.message).toContain('VFIO_DEVICE_RESET');
    const audit = f.attempts().filter((a) => a.action === 'device.reset');
    expect(audit.map((a) => a.errno)).toEqual(['ENODEV', 'EINVAL']);
  });

  it("resets a device whose flags offer it (the default scenario's free NVMe), audited as a success", async () => {
    await f.close();
    f = await makeFixture('default');
    const NVME = '0000:b2:00.0';
    const group = (await f.req({ method: 'GET', url: `/api/v1/devices/${NVME}` })).json().group as number;
    expect((await f.req({ method: 'POST', url: `/api/v1/groups/${group}/open` })).statusCode).toBe(200);
    const detail = (await f.req({ method: 'GET', url: `/api/v1/devices/${NVME}` })).json();
    expect(detail.state.info.flagNames).toContain('RESET');
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/${NVME}/reset` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ bdf: NVME, reset: true, verification: { bdf: NVME, cameBack: true } });
    expect(f.attempts().filter((a) => a.action === 'device.reset')).toEqual([
      expect.objectContaining({ ok: true, tokenId: 'op', params: expect.objectContaining({ bdf: NVME }) }),
    ]);
  });
});

describe('regions', () => {
  it('reads the edu identification register and round-trips the liveness register', async () => {
    await open3();
    const id = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/regions/0/read`, payload: { offset: '0x0', size: 4 } });
    expect(id.statusCode).toBe(200);
    expect(conforms(RegionReadResponse, id.json())).toBe(true);
    expect(id.json()).toMatchObject({ bdf: EDU, index: 0, offset: '0x0', size: 4 });
    expect(id.json().data).toBe('ed000001'); // 0x010000ed little-endian: version 1.0, edu magic 0xed
    const w = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/regions/0/write`, payload: { offset: '4', data: '78563412' } });
    expect(w.json()).toEqual({ bdf: EDU, index: 0, offset: '0x4', written: 4 });
    const back = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/regions/0/read`, payload: { offset: '0x4', size: 4 } });
    expect(back.json().data).toBe('87a9cbed'); // the liveness register answers with the bitwise inverse
  });

  it('refuses out-of-range and malformed requests before the device sees them', async () => {
    await open3();
    const read = vi.spyOn(f.app.vfio.ctx.session, 'regionRead');
    const write = vi.spyOn(f.app.vfio.ctx.session, 'regionWrite');
    const url = (i: number | string, op: string) => `/api/v1/devices/${EDU}/regions/${i}/${op}`;
    const cases: [string, unknown, number, string, string][] = [
      [url(0, 'read'), { offset: '0x100000', size: 4 }, 400, 'EINVAL', 'offset'],
      [url(0, 'read'), { offset: '0xffffe', size: 4 }, 400, 'EINVAL', 'size'],
      [url(1, 'read'), { offset: '0x0', size: 4 }, 400, 'EINVAL', 'index'],
      [url(0, 'read'), { offset: '0x0', size: 0 }, 400, 'EVALIDATION', 'size'],
      [url(0, 'read'), { offset: '0x0', size: 8192 }, 400, 'EVALIDATION', 'size'],
      [url(0, 'read'), { offset: 0, size: 4 }, 400, 'EVALIDATION', 'offset'],
      [url(0, 'read'), { offset: '0x10000000000000000', size: 4 }, 400, 'EVALIDATION', 'offset'],
      [url(0, 'read'), { size: 4 }, 400, 'EVALIDATION', 'offset'],
      [url('x', 'read'), { offset: '0', size: 4 }, 400, 'EVALIDATION', 'index'],
      [url(0, 'write'), { offset: '0x0', data: 'abc' }, 400, 'EVALIDATION', 'data'],
      [url(0, 'write'), { offset: '0x0', data: '' }, 400, 'EVALIDATION', 'data'],
      [url(0, 'write'), { offset: '0xffffe', data: 'aabbccdd' }, 400, 'EINVAL', 'size'],
    ];
    for (const [u, payload, status, errno, field] of cases) {
      const r = await f.req({ method: 'POST', url: u, payload: payload as object });
      expect(r.statusCode, `${u} ${JSON.stringify(payload)}`).toBe(status);
      expect(r.json().error, `${u} ${JSON.stringify(payload)}`).toMatchObject({ errno, field });
      expect(r.json().error.message).toContain(field);
    }
    expect(read).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });
});

describe('POST /devices/:bdf/bind', () => {
  it('unbinds the e1000 that blocks group 5 and binds it to vfio-pci, making the group viable', async () => {
    const e1000 = '0000:01:02.0';
    const u = await f.req({ method: 'POST', url: `/api/v1/devices/${e1000}/bind`, payload: { driver: null } });
    expect(u.statusCode).toBe(200);
    expect(u.json()).toEqual({ bdf: e1000, driver: null });
    const b = await f.req({ method: 'POST', url: `/api/v1/devices/${e1000}/bind`, payload: { driver: 'vfio-pci' } });
    expect(b.json()).toEqual({ bdf: e1000, driver: 'vfio-pci' });
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    expect(topo.groups.find((g: { id: number }) => g.id === 5).viable).toBe(true);
    const events = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=action' })).json().events;
    expect(events.map((e: { message: string }) => e.message)).toEqual([`unbind ${e1000}`, `bind ${e1000} to vfio-pci`]);
  });

  it('refuses bad driver names, unknown devices and devices of a group vfioscope holds', async () => {
    const bind = vi.spyOn(f.app.vfio.ctx.host, 'bindDriver');
    const bad = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/bind`, payload: { driver: '../../x' } });
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'driver' });
    const missing = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/bind`, payload: {} });
    expect(missing.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'driver' });
    const unknown = await f.req({ method: 'POST', url: '/api/v1/devices/0000:09:00.0/bind', payload: { driver: null } });
    expect(unknown.statusCode).toBe(404);
    await open3();
    const busy = await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/bind`, payload: { driver: null } });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toMatchObject({ errno: 'EBUSY', field: 'bdf' });
    expect(bind).not.toHaveBeenCalled();
  });

  it('a kernel refusal keeps its errno', async () => {
    const r = await f.req({ method: 'POST', url: `/api/v1/devices/0000:00:04.0/bind`, payload: { driver: 'no-such-driver' } });
    expect(r.statusCode).toBe(httpStatusFor(r.json().error.errno));
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    const errors = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=error' })).json().events;
    expect(errors.at(-1).message).toContain('bind 0000:00:04.0 to no-such-driver failed');
  });
});
