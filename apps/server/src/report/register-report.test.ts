/**
 * GET /api/v1/report on the storm scenario: an alert's report names the
 * vector, device, owner, peak, threshold and duration, charts the rate with
 * the storm shaded, lists the kernel's messages and the actions around it,
 * and needs nothing from the network; bad queries are 400 naming the field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertsResponse, StormAlert } from '@vfioscope/protocol';
import { type Fixture, makeFixture } from '../test-support/app-fixture.ts';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function stormAlert(fx: Fixture): Promise<StormAlert> {
  const alerts = (await fx.req({ method: 'GET', url: '/api/v1/alerts', as: 'viewer' })).json<AlertsResponse>().alerts;
  const storm = alerts.find((a): a is StormAlert => a.kind === 'storm' && a.index === 'MSIX');
  if (!storm) throw new Error(`no MSI-X storm alert among ${alerts.map((a) => a.id).join(', ')}`);
  return storm;
}

describe('GET /api/v1/report', () => {
  it("answers an alert's report as an HTML attachment a viewer may download, with the storm's facts and a shaded chart", async () => {
    f = await makeFixture('storm');
    await f.advance(12_000);
    const a = await stormAlert(f);
    const res = await f.req({ method: 'GET', url: `/api/v1/report?alert=${a.id}`, as: 'viewer' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="vfioscope-report-[A-Za-z0-9._-]+\.html"$/);
    const doc = res.body;
    expect(doc).toContain(`data-fact="vector">MSIX vector ${a.vector}`);
    expect(doc).toContain(`data-fact="device">${a.bdf}</dd>`);
    expect(doc).toMatch(/data-fact="owner">VM [^<]+\(qemu/);
    expect(doc).toMatch(/data-fact="why">[^<]*threshold of <b>[\d\u2009]+ \/s<\/b>/);
    expect(doc).toMatch(/data-fact="duration">\d/);
    expect(doc).toMatch(/<svg class="rate-chart"[^>]*>.*<rect class="storm-band"/s);
    expect(doc).toMatch(/<path class="rate" d="M/);
    expect(doc).toContain('data-fact="kernel">');
    expect(doc).toContain('data-fact="cpus">');
    // offline by construction: no script, no URL
    expect(doc).not.toMatch(/<script|https?:|src=|href=/i);
  });

  it('covers a time range, charting the busiest vector in it', async () => {
    f = await makeFixture('storm');
    await f.advance(8000);
    const now = f.clock.now();
    const res = await f.req({ method: 'GET', url: `/api/v1/report?from=${now - 6000}&to=${now}`, as: 'viewer' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body).toMatch(/<title>Interrupts from/);
    expect(res.body).toMatch(/<path class="rate"/);
  });

  it('refuses a query that is neither an alert nor a range, naming the field', async () => {
    f = await makeFixture('edu');
    const ask = async (q: string) => (await f!.req({ method: 'GET', url: `/api/v1/report${q}`, as: 'viewer' })).json().error;
    expect(await ask('')).toMatchObject({ errno: 'EVALIDATION', field: 'from' });
    expect(await ask('?from=1000')).toMatchObject({ errno: 'EVALIDATION', field: 'to' });
    expect(await ask('?from=2000&to=1000')).toMatchObject({ errno: 'EVALIDATION', field: 'to' });
    expect(await ask('?from=0&to=99999999')).toMatchObject({ errno: 'EVALIDATION', field: 'to' });
    expect(await ask('?alert=storm-abc-1&from=1')).toMatchObject({ errno: 'EVALIDATION', field: 'from' });
    expect(await ask('?alert=storm-abc-1')).toMatchObject({ errno: 'ENOTFOUND', field: 'alert' });
    expect(await ask('?alert=%3Cscript%3E')).toMatchObject({ errno: 'EVALIDATION' });
    expect((await f.req({ method: 'GET', url: '/api/v1/report?from=0&to=1000', as: 'none' })).statusCode).toBe(401);
  });
});
