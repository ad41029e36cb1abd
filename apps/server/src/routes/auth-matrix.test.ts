/**
 * Authorization over the whole route table, not a hand-kept list: every
 * route without a token is 401 (public ones aside), every action with a
 * viewer token is 403, nothing refused reaches the session or the host, and
 * however a route's URL is spelled (percent-encoded letters, "v%31") it is
 * the matched route's role that decides. Refusals land in the audit log at a
 * bounded rate: the first at once, the rest as one summary line.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routes } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';
import { respellings, sampleRequests, type SampleRequest } from '../test-support/route-samples.ts';

let f: Fixture;
let requests: SampleRequest[];
beforeEach(async () => {
  f = await makeFixture('edu');
  const container = String((await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container);
  requests = sampleRequests({ group: '3', bdf: '0000:00:03.0', index: '0', id: container });
});
afterEach(async () => {
  await f.close();
});

const send = (r: SampleRequest, as: 'operator' | 'viewer' | 'none', url = r.url) =>
  f.req({ method: r.method, url, as, ...(r.payload ? { payload: r.payload } : {}) });

function spyBackend() {
  const session = f.app.vfio.ctx.session;
  return [
    ...(['openGroup', 'closeGroup', 'setIrqs', 'reset', 'hotReset', 'regionRead', 'regionWrite', 'mapDma', 'unmapDma'] as const).map((m) =>
      vi.spyOn(session, m),
    ),
    vi.spyOn(f.host, 'bindDriver'),
    vi.spyOn(f.host, 'setIrqAffinity'),
  ];
}

describe('auth over the route table', () => {
  it('covers every route of the table', () => {
    const http = Object.values(routes).filter((r) => !('websocket' in r)).length;
    expect(requests).toHaveLength(http);
    expect(
      requests
        .filter((r) => r.spec.role === 'operator')
        .map((r) => r.spec.action)
        .sort(),
    ).toEqual([
      'device.bind',
      'device.hotReset',
      'device.irqs',
      'device.reset',
      'dma.map',
      'dma.unmap',
      'group.close',
      'group.open',
      'irq.affinity',
      'recording.start',
      'recording.stop',
      'region.read',
      'region.write',
      'replay.open',
    ]);
  });

  it('refuses anonymous callers (401) everywhere but public routes, and viewers (403) on every action; nothing reaches the backend', async () => {
    const spies = spyBackend();
    const before = f.audit().length;
    let refusals = 0;
    for (const r of requests) {
      const none = await send(r, 'none');
      if (r.spec.role === 'public') {
        expect(none.statusCode, r.url).toBe(200);
        continue;
      }
      expect(none.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(none.json().error, r.url).toMatchObject({ errno: 'EAUTH', field: 'authorization' });
      refusals++;
      if (r.spec.role !== 'operator') continue;
      const viewer = await send(r, 'viewer');
      expect(viewer.statusCode, r.url).toBe(403);
      expect(viewer.json().error, r.url).toMatchObject({ errno: 'EFORBIDDEN', field: 'authorization' });
      refusals++;
    }
    for (const s of spies) expect(s, s.getMockName()).not.toHaveBeenCalled();
    f.app.vfio.ctx.refusals.flush(true);
    await f.app.vfio.ctx.audit.settled();
    const lines = f.audit().slice(before);
    const first = requests.find((r) => r.spec.role === 'operator' || r.spec.role === 'viewer');
    // one source (the test's address): its first refusal written at once — an action route's goes to the audit log —,
    // the rest of the interval counted into one summary line
    const summary = lines.find((l) => l.phase === 'refusals');
    expect(summary).toMatchObject({ remote: '127.0.0.1', total: refusals - 1 });
    expect(lines.filter((l) => l.phase === 'refused' || l.phase === 'intent')).toHaveLength(first?.spec.action ? 1 : 0);
    expect(f.app.vfio.ctx.refusals.counts()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 401, errno: 'EAUTH' }),
        expect.objectContaining({ status: 403, errno: 'EFORBIDDEN' }),
      ]),
    );
  });

  it('decides by the matched route however its URL is spelled: no token, no data', async () => {
    const spies = spyBackend();
    let tried = 0;
    for (const r of requests) {
      if (r.spec.role === 'public') continue;
      for (const url of respellings(r.url)) {
        const res = await send(r, 'none', url);
        tried++;
        // the route itself (401), no route at all (404), or a URL that does not decode (400): never its data, never a crash
        expect([400, 401, 404], `${r.method} ${url} → ${res.statusCode} ${res.body.slice(0, 120)}`).toContain(res.statusCode);
        if (url.includes('%61') || url.includes('v%31')) expect(res.statusCode, url).toBe(401);
      }
    }
    expect(tried).toBeGreaterThan(100);
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    // and with the viewer token, an encoded spelling of an action is still an action
    const reset = requests.find((r) => r.name === 'deviceReset')!;
    expect((await send(reset, 'viewer', reset.url.replace('/api/', '/%61pi/'))).statusCode).toBe(403);
    expect((await send(requests.find((r) => r.name === 'whoami')!, 'none', '/%61pi/v1/whoami')).statusCode).toBe(401);
  });

  it('lets the operator through on each action, each audited as intent then result under one id', async () => {
    const before = f.audit().length;
    // an order in which each is possible: map before unmap, the driver changed once the group is released
    const order = [
      'regionRead',
      'regionWrite',
      'deviceIrq',
      'map',
      'unmap',
      'deviceReset',
      'deviceHotReset',
      'groupClose',
      'deviceBind',
    ] as const;
    // the edu offers no reset (the kernel's EINVAL) and sits on the root bus (no hot reset: ENODEV), audited like a success would be
    const refused: Partial<Record<(typeof order)[number], number>> = { deviceReset: 400, deviceHotReset: 404 };
    for (const name of order) {
      const r = requests.find((x) => x.name === name)!;
      const res = await send(r, 'operator');
      expect(res.statusCode, `${name}: ${res.body}`).toBe(refused[name] ?? 200);
    }
    const lines = f.audit().slice(before);
    expect(lines.map((l) => l.phase)).toEqual(order.flatMap(() => ['intent', 'result']));
    const attempts = f.attempts().slice(-order.length);
    expect(attempts.map((a) => [a.action, a.role, a.ok, a.pending])).toEqual(
      order.map((n) => [routes[n].action, 'operator', refused[n] === undefined, false]),
    );
  });
});
