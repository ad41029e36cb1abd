import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyIrqRatesDelta, conforms, IrqRatesDelta, IrqRatesSnapshot, type VectorRate } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../../test-support/app-fixture.ts';
import { rateView } from '../../views/telemetry-view.ts';
import { IrqRatesProducer } from './table-producers.ts';

let f: Fixture | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await f?.close();
  f = null;
});

/** through JSON and the protocol's schema, as a client gets it */
function wire<T>(schema: typeof IrqRatesDelta | typeof IrqRatesSnapshot, value: T): T {
  const back = JSON.parse(JSON.stringify(value)) as T;
  expect(conforms(schema, back)).toBe(true);
  return back;
}

/** the full rows the telemetry has now, by key: what the old full-row deltas carried */
function truth(fx: Fixture): Map<string, VectorRate> {
  return new Map(fx.app.vfio.ctx.telemetry.vectorRates().map((r) => [r.key, rateView(r)]));
}

function byKey(rows: readonly VectorRate[]): Map<string, VectorRate> {
  return new Map(rows.map((r) => [r.key, r]));
}

/** one tick of a clock that does not beat at exactly 100 ms, as a real one does not: rates are not round numbers */
async function tick(fx: Fixture, i: number): Promise<void> {
  fx.clock.advance(100 + (((i * 37) % 11) - 5));
  await fx.app.vfio.tick();
}

describe('IrqRatesProducer', () => {
  it.each(['default', 'storm'])(
    'the %s host: a client rebuilds every row, field for field, from compact deltas over 120 ticks, and a mid-stream snapshot heals a second client',
    async (scenario) => {
      f = await makeFixture(scenario);
      await f.advance(300);
      const p = new IrqRatesProducer(f.app.vfio.ctx);
      await p.init();
      let rows = wire(IrqRatesSnapshot, p.snapshot()).rates;
      let late: VectorRate[] | null = null;
      let compact = 0;
      let full = 0;
      for (let i = 0; i < 120; i++) {
        await tick(f, i);
        const d = await p.update();
        if (i === 60)
          late = wire(IrqRatesSnapshot, p.snapshot()).rates; // a client that joins (or heals) here
        else if (d && late) late = applyIrqRatesDelta(late, wire(IrqRatesDelta, d));
        if (d) rows = applyIrqRatesDelta(rows, wire(IrqRatesDelta, d))!;
        const now = truth(f);
        expect(byKey(rows)).toStrictEqual(now);
        if (late) expect(late).toStrictEqual(rows);
        compact += JSON.stringify(d ?? '').length;
        full += JSON.stringify([...now.values()]).length;
      }
      expect(late).not.toBeNull();
      // every vector fires every tick on these hosts, so the full rows would be sent whole each tick
      expect(compact * 10).toBeLessThan(full);
    },
    60_000,
  );

  it('vectors that appear (a VF’s MSI-X wired) and vanish get the next indexes and are dropped, the rest renumbered in order', async () => {
    f = await makeFixture('storm');
    const ctx = f.app.vfio.ctx;
    const engineRates = ctx.telemetry.vectorRates.bind(ctx.telemetry);
    // the vectors of some devices vanish for a while, as when their lines go and come back
    let hidden = new Set<string>();
    vi.spyOn(ctx.telemetry, 'vectorRates').mockImplementation(() => engineRates().filter((r) => !hidden.has(r.bdf)));
    await f.advance(200);
    const p = new IrqRatesProducer(ctx);
    await p.init();
    let rows = wire(IrqRatesSnapshot, p.snapshot()).rates;
    const bdfs = [...new Set(rows.map((r) => r.bdf))];
    const step = async (i: number) => {
      await tick(f!, i);
      const d = await p.update();
      if (d) rows = applyIrqRatesDelta(rows, wire(IrqRatesDelta, d))!;
      expect(byKey(rows)).toStrictEqual(
        new Map(
          engineRates()
            .filter((r) => !hidden.has(r.bdf))
            .map((r) => [r.key, rateView(r)]),
        ),
      );
      return d;
    };

    hidden = new Set([bdfs[0]!, bdfs[2]!]);
    const gone = await step(0);
    expect(gone?.remove?.length).toBeGreaterThan(0);
    for (let i = 1; i < 5; i++) await step(i);
    hidden = new Set([bdfs[1]!]);
    const back = await step(5);
    expect(back?.add?.length).toBeGreaterThan(0);
    expect(back?.remove?.length).toBeGreaterThan(0);
    expect(rows.slice(-back!.add!.length).map((r) => r.key)).toEqual(back!.add!.map((r) => r.key));

    // a VF nobody owns, opened and its 17 MSI-X vectors triggered: new owned vectors appear
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    const vf = topo.devices.find(
      (d: { physfn?: string; iommuGroup: number }) =>
        d.physfn && topo.groups.find((g: { id: number; owners: unknown[] }) => g.id === d.iommuGroup).owners.length === 0,
    );
    await f.req({ method: 'POST', url: `/api/v1/groups/${vf.iommuGroup}/open` });
    await f.req({ method: 'POST', url: `/api/v1/devices/${vf.bdf}/irqs/MSIX`, payload: { action: 'trigger', start: 0, count: 17 } });
    for (let i = 6; i < 40; i++) await step(i);
    expect(rows.filter((r) => r.bdf === vf.bdf && r.source === 'owned').length).toBe(17);
  }, 60_000);
});
