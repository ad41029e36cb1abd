/**
 * Every action route, not just the two the route tests try: without a token
 * it is 401 EAUTH, with a viewer token 403 EFORBIDDEN, nothing reaches the
 * session or the host, and each refusal is in the audit log under the
 * route's action name; the operator's attempt is audited as its own.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

const EDU = '0000:00:03.0';
let f: Fixture;
let container = 0;
beforeEach(async () => {
  f = await makeFixture('edu');
  container = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
});
afterEach(async () => {
  await f.close();
});

const ACTIONS: { action: string; method: 'POST' | 'DELETE'; url: () => string; payload?: object }[] = [
  { action: 'group.open', method: 'POST', url: () => '/api/v1/groups/4/open' },
  { action: 'group.close', method: 'POST', url: () => '/api/v1/groups/3/close' },
  { action: 'device.reset', method: 'POST', url: () => `/api/v1/devices/${EDU}/reset` },
  { action: 'device.irqs', method: 'POST', url: () => `/api/v1/devices/${EDU}/irqs/0`, payload: { action: 'trigger', start: 0, count: 1 } },
  { action: 'region.read', method: 'POST', url: () => `/api/v1/devices/${EDU}/regions/0/read`, payload: { offset: '0x0', size: 4 } },
  { action: 'region.write', method: 'POST', url: () => `/api/v1/devices/${EDU}/regions/0/write`, payload: { offset: '0x4', data: '01000000' } },
  { action: 'device.bind', method: 'POST', url: () => '/api/v1/devices/0000:01:02.0/bind', payload: { driver: 'vfio-pci' } },
  { action: 'dma.map', method: 'POST', url: () => `/api/v1/containers/${container}/mappings`, payload: { iova: '0x100000', size: '0x1000', flags: ['read'] } },
  { action: 'dma.unmap', method: 'DELETE', url: () => `/api/v1/containers/${container}/mappings`, payload: { all: true } },
];

describe('auth on every action route', () => {
  it('refuses anonymous callers (401) and viewers (403) before anything reaches the backend, and audits each refusal', async () => {
    const session = f.app.vfio.ctx.session;
    const spies = [
      ...(['openGroup', 'closeGroup', 'setIrqs', 'reset', 'regionRead', 'regionWrite', 'mapDma', 'unmapDma'] as const).map((m) => vi.spyOn(session, m)),
      vi.spyOn(f.host, 'bindDriver'),
    ];
    const before = f.audit().length;
    for (const a of ACTIONS) {
      const none = await f.req({ method: a.method, url: a.url(), as: 'none', ...(a.payload ? { payload: a.payload } : {}) });
      expect(none.statusCode, a.action).toBe(401);
      expect(none.json().error, a.action).toMatchObject({ errno: 'EAUTH', field: 'authorization' });
      const viewer = await f.req({ method: a.method, url: a.url(), as: 'viewer', ...(a.payload ? { payload: a.payload } : {}) });
      expect(viewer.statusCode, a.action).toBe(403);
      expect(viewer.json().error, a.action).toMatchObject({ errno: 'EFORBIDDEN', field: 'authorization' });
    }
    for (const s of spies) expect(s, s.getMockName()).not.toHaveBeenCalled();
    const refused = f.audit().slice(before);
    expect(refused.map((r) => [r.action, r.role, r.ok, r.errno, r.status])).toEqual(
      ACTIONS.flatMap((a) => [
        [a.action, null, false, 'EAUTH', 401],
        [a.action, 'viewer', false, 'EFORBIDDEN', 403],
      ]),
    );
  });

  it('lets the operator through on each of them, audited under the same action names', async () => {
    const before = f.audit().length;
    // an order in which each succeeds: map before unmap, close last
    const order = ['region.read', 'region.write', 'device.irqs', 'dma.map', 'dma.unmap', 'device.bind', 'group.close'];
    for (const name of order) {
      const a = ACTIONS.find((x) => x.action === name)!;
      const r = await f.req({ method: a.method, url: a.url(), ...(a.payload ? { payload: a.payload } : {}) });
      expect(r.statusCode, `${name}: ${r.body}`).toBe(200);
    }
    expect(f.audit().slice(before).map((r) => [r.action, r.role, r.ok])).toEqual(order.map((n) => [n, 'operator', true]));
  });
});
