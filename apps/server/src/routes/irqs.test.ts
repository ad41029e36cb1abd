import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conforms, httpStatusFor, IrqActionResponse, IrqTopResponse } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

const EDU = '0000:00:03.0';
let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
  await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
});
afterEach(async () => {
  await f.close();
});

const irq = (index: string | number, payload: object) => f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/irqs/${index}`, payload });

describe('POST /devices/:bdf/irqs/:index', () => {
  it('trigger wires an eventfd on MSI, shown as enabled; disable tears it down', async () => {
    const r = await irq('msi', { action: 'trigger' });
    expect(r.statusCode).toBe(200);
    expect(conforms(IrqActionResponse, r.json())).toBe(true);
    expect(r.json()).toEqual({ bdf: EDU, index: 1, name: 'MSI', action: 'trigger', start: 0, count: 1 });
    let dev = (await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}` })).json();
    expect(dev.state.irqs.find((q: { name: string }) => q.name === 'MSI')).toMatchObject({ enabled: true, vectorsWired: 1 });
    const d = await irq(1, { action: 'disable', start: 0, count: 1 });
    expect(d.statusCode).toBe(200);
    dev = (await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}` })).json();
    expect(dev.state.irqs.find((q: { name: string }) => q.name === 'MSI')).toMatchObject({ enabled: false, vectorsWired: 0 });
  });

  it("INTx mask and unmask reach the kernel; masking an MSI is refused up front with the kernel's ENOTTY (400)", async () => {
    expect((await irq('INTX', { action: 'trigger' })).statusCode).toBe(200);
    expect((await irq('INTX', { action: 'mask' })).statusCode).toBe(200);
    let dev = (await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}` })).json();
    expect(dev.state.irqs.find((q: { name: string }) => q.name === 'INTX').masked).toEqual([true]);
    expect((await irq('INTX', { action: 'unmask' })).statusCode).toBe(200);
    dev = (await f.req({ method: 'GET', url: `/api/v1/devices/${EDU}` })).json();
    expect(dev.state.irqs.find((q: { name: string }) => q.name === 'INTX').masked).toEqual([false]);
    const setIrqs = vi.spyOn(f.app.vfio.ctx.session, 'setIrqs');
    for (const [index, action] of [
      ['MSI', 'mask'],
      ['MSI', 'unmask'],
      ['MSIX', 'mask'],
      [1, 'unmask'],
    ] as const) {
      const m = await irq(index, { action });
      expect(m.statusCode).toBe(400);
      expect(m.json().error).toMatchObject({ errno: 'ENOTTY', field: 'action' });
      expect(m.json().error.message).toMatch(/vfio-pci has no (un)?mask handler for MSIX? .*only INTx can be masked/);
    }
    expect(setIrqs).not.toHaveBeenCalled();
    expect(httpStatusFor('ENOTTY')).toBe(400);
  });

  it('refuses bad index, range and body before the kernel', async () => {
    const setIrqs = vi.spyOn(f.app.vfio.ctx.session, 'setIrqs');
    const cases: [string | number, object, string, string][] = [
      ['MSI', { action: 'trigger', start: 1 }, 'EINVAL', 'start'],
      ['MSI', { action: 'trigger', start: 0, count: 2 }, 'EINVAL', 'count'],
      ['MSIX', { action: 'trigger' }, 'EINVAL', 'index'],
      [9, { action: 'trigger' }, 'EINVAL', 'index'],
      ['bogus', { action: 'trigger' }, 'EVALIDATION', 'index'],
      ['MSI', { action: 'fire' }, 'EVALIDATION', 'action'],
      ['MSI', { action: 'trigger', count: 0 }, 'EVALIDATION', 'count'],
      ['MSI', { action: 'trigger', start: -1 }, 'EVALIDATION', 'start'],
      ['MSI', { action: 'trigger', start: '0' }, 'EVALIDATION', 'start'],
      ['MSI', {}, 'EVALIDATION', 'action'],
    ];
    for (const [index, payload, errno, field] of cases) {
      const r = await irq(index, payload);
      expect(r.statusCode, `${index} ${JSON.stringify(payload)}`).toBe(400);
      expect(r.json().error, `${index} ${JSON.stringify(payload)}`).toMatchObject({ errno, field });
    }
    expect(setIrqs).not.toHaveBeenCalled();
  });

  it('a device whose group is not open is ENODEV', async () => {
    const r = await f.req({ method: 'POST', url: '/api/v1/devices/0000:00:04.0/irqs/MSI', payload: { action: 'trigger' } });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ errno: 'ENODEV', field: 'bdf' });
  });
});

describe('GET /irqs/top and /irqs/history', () => {
  it('lists sampled vectors busiest first, with history per key', async () => {
    await irq('MSI', { action: 'trigger' });
    await f.advance(500);
    const top = await f.req({ method: 'GET', url: '/api/v1/irqs/top?limit=5', as: 'viewer' });
    expect(conforms(IrqTopResponse, top.json())).toBe(true);
    const mine = top.json().rates.find((r: { bdf: string }) => r.bdf === EDU);
    expect(mine).toMatchObject({ index: 'MSI', vector: 0, source: 'owned' });
    const h = await f.req({ method: 'GET', url: `/api/v1/irqs/history?key=${encodeURIComponent(mine.key)}`, as: 'viewer' });
    expect(h.statusCode).toBe(200);
    expect(h.json().points.length).toBeGreaterThan(0);
    const missing = await f.req({ method: 'GET', url: '/api/v1/irqs/history?key=nope', as: 'viewer' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ errno: 'ENOTFOUND', field: 'key' });
    const bad = await f.req({ method: 'GET', url: '/api/v1/irqs/top?limit=0', as: 'viewer' });
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'limit' });
  });
});
