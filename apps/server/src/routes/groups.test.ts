import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conforms, ErrorBody, httpStatusFor, KERNEL_ERRNOS } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
});
afterEach(async () => {
  await f.close();
});

describe('POST /groups/:group/open and /close', () => {
  it('opens a viable group into a new TYPE1v2 container, then closes it', async () => {
    const r = await f.req({ method: 'POST', url: '/api/v1/groups/3/open', payload: {} });
    expect(r.statusCode).toBe(200);
    const { container } = r.json();
    expect(r.json()).toEqual({ group: 3, container, kind: 'type1', devices: ['0000:00:03.0'] });
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    expect(topo.groups.find((g: { id: number }) => g.id === 3).container).toBe(container);
    const cs = (await f.req({ method: 'GET', url: '/api/v1/containers' })).json();
    expect(cs.containers).toHaveLength(1);
    expect(cs.containers[0].groups).toEqual([3]);
    expect(cs.containers[0].iommu.iovaPgsizes).toMatch(/^0x[0-9a-f]+$/);

    const c = await f.req({ method: 'POST', url: '/api/v1/groups/3/close' });
    expect(c.statusCode).toBe(200);
    expect(c.json()).toEqual({ group: 3, closed: true });
    expect((await f.req({ method: 'GET', url: '/api/v1/containers' })).json().containers).toEqual([]);
  });

  it('attaches a second group to an existing container', async () => {
    const { container } = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json();
    const r = await f.req({ method: 'POST', url: '/api/v1/groups/4/open', payload: { container } });
    expect(r.json()).toEqual({ group: 4, container, kind: 'type1', devices: ['0000:00:04.0'] });
    const cs = (await f.req({ method: 'GET', url: '/api/v1/containers' })).json();
    expect(cs.containers[0].groups.sort()).toEqual([3, 4]);
  });

  it('refuses unknown groups, unknown containers, bad bodies and re-opens before the backend', async () => {
    const open = vi.spyOn(f.app.vfio.ctx.session, 'openGroup');
    const cases = [
      { url: '/api/v1/groups/99/open', payload: {}, status: 404, errno: 'ENOTFOUND', field: 'group' },
      { url: '/api/v1/groups/abc/open', payload: {}, status: 400, errno: 'EVALIDATION', field: 'group' },
      { url: '/api/v1/groups/3/open', payload: { container: 42 }, status: 404, errno: 'ENOTFOUND', field: 'id' },
      { url: '/api/v1/groups/3/open', payload: { container: 'one' }, status: 400, errno: 'EVALIDATION', field: 'container' },
      { url: '/api/v1/groups/3/open', payload: { extra: 1 }, status: 400, errno: 'EVALIDATION', field: 'extra' },
    ];
    for (const c of cases) {
      const r = await f.req({ method: 'POST', url: c.url, payload: c.payload });
      expect(r.statusCode, c.url + JSON.stringify(c.payload)).toBe(c.status);
      expect(conforms(ErrorBody, r.json())).toBe(true);
      expect(r.json().error).toMatchObject({ errno: c.errno, field: c.field });
    }
    expect(open).not.toHaveBeenCalled();
    await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    const again = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ errno: 'EBUSY', field: 'group' });
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('passes the kernel errno through for a group that is not viable', async () => {
    const r = await f.req({ method: 'POST', url: '/api/v1/groups/5/open' });
    const { errno } = r.json().error;
    expect(KERNEL_ERRNOS).toContain(errno);
    expect(r.statusCode).toBe(httpStatusFor(errno));
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect((await f.req({ method: 'GET', url: '/api/v1/containers' })).json().containers).toEqual([]);
  });

  it("a group another process (a VM) holds is the kernel's EBUSY (409)", async () => {
    await f.close();
    f = await makeFixture('storm');
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    const held = topo.groups.find((g: { owners: { comm: string }[] }) => g.owners.some((o) => o.comm === 'qemu-system-x86'));
    const r = await f.req({ method: 'POST', url: `/api/v1/groups/${held.id}/open` });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.errno).toBe('EBUSY');
    expect(r.json().error.message).toContain('open');
  });

  it('close refuses a group vfioscope does not hold', async () => {
    const close = vi.spyOn(f.app.vfio.ctx.session, 'closeGroup');
    const r = await f.req({ method: 'POST', url: '/api/v1/groups/4/close' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ errno: 'EINVAL', field: 'group' });
    expect(close).not.toHaveBeenCalled();
  });

  it('a viewer may not act (403) and nobody without a token (401); refusals are audited at a bounded rate, actions write-ahead', async () => {
    const open = vi.spyOn(f.app.vfio.ctx.session, 'openGroup');
    const v = await f.req({ method: 'POST', url: '/api/v1/groups/3/open', as: 'viewer' });
    expect(v.statusCode).toBe(403);
    expect(v.json().error.errno).toBe('EFORBIDDEN');
    const n = await f.req({ method: 'POST', url: '/api/v1/groups/3/open', as: 'none', payload: { container: 'x' } });
    expect(n.statusCode).toBe(401); // auth before validation: an anonymous caller learns nothing about its input
    expect(open).not.toHaveBeenCalled();
    const ok = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    expect(ok.statusCode).toBe(200);
    f.app.vfio.ctx.refusals.flush(true);
    await f.app.vfio.ctx.audit.settled();
    const lines = f.audit();
    // the source's first refusal at once, the rest of its interval as one summary line
    expect(lines.map((l) => l.phase)).toEqual(['refused', 'intent', 'result', 'refusals']);
    expect(lines[0]).toMatchObject({ action: 'group.open', tokenId: 'view', role: 'viewer', status: 403, errno: 'EFORBIDDEN' });
    expect(lines[1]).toMatchObject({ action: 'group.open', tokenId: 'op', role: 'operator', params: { group: '3' } });
    expect(lines[2]).toMatchObject({ action: 'group.open', tokenId: 'op', ok: true, status: 200, result: ok.json() });
    expect((lines[1] as { id: string }).id).toBe((lines[2] as { id: string }).id);
    expect(lines[3]).toMatchObject({ total: 1, counts: [{ route: 'POST /api/v1/groups/:group/open', status: 401, errno: 'EAUTH', n: 1 }] });
  });
});

describe("a VM's group", () => {
  it('open and reset are refused with EBUSY naming the VM that holds the group (comm, pid, -name, how it holds it)', async () => {
    const f = await makeFixture('default');
    try {
      const owners = (await f.host.owners()).filter((o) => !o.self);
      const vm = owners[0];
      expect(vm, 'the default scenario has VMs holding groups').toBeDefined();
      const open = await f.req({ method: 'POST', url: `/api/v1/groups/${vm!.group}/open` });
      expect(open.statusCode).toBe(409);
      expect(open.json().error.errno).toBe('EBUSY');
      expect(open.json().error.message).toContain(`is held by ${vm!.comm} (pid ${vm!.pid}, VM `);
      expect(open.json().error.message).toContain('through its group file');
      const topo = await f.host.topology();
      const dev = topo.devices.find((d) => d.iommuGroup === vm!.group)!;
      const reset = await f.req({ method: 'POST', url: `/api/v1/devices/${dev.bdf}/reset` });
      expect(reset.json().error).toMatchObject({ errno: 'EBUSY', field: 'bdf' });
      expect(reset.json().error.message).toContain(`group ${vm!.group} of ${dev.bdf} is held by ${vm!.comm} (pid ${vm!.pid}`);
    } finally {
      await f.close();
    }
  });
});
