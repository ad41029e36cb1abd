/**
 * The kernel's alerts and fault rates live: an IOMMU fault storm from the storm
 * scenario's serial card (its VM DMAs to an IOVA it never mapped, here every
 * 200 ms) reaches the alerts topic and GET /alerts as a kernel alert with its
 * device and owner, and the host topic counts the card's faults per minute.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '@vfioscope/host-sim';
import { AlertsResponse, conforms, type DeltaData, type KernelAlert } from '@vfioscope/protocol';
import { FAULT_STORM_COUNT } from '@vfioscope/telemetry';
import { makeFixture, VIEWER, type Fixture } from '../test-support/app-fixture.ts';
import { connectStream } from '../test-support/ws-client.ts';

const SERIAL = '0000:00:07.0';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

function faultingScenario() {
  const scenario = loadScenario('storm');
  const serial = scenario.devices.find((d) => d.bdf === SERIAL);
  if (!serial?.dmaFaults) throw new Error('the storm scenario’s serial card no longer faults');
  serial.dmaFaults.everyMs = 200;
  return scenario;
}

const isFaultStorm = (a: { kind: string; reason: string }): a is KernelAlert => a.kind === 'kernel' && a.reason === 'iommu-fault-storm';

describe('stream: kernel alerts and IOMMU fault rates', () => {
  it('a fault storm is a kernel alert on the alerts topic and in GET /alerts, and the host topic counts its faults per minute', async () => {
    f = await makeFixture(faultingScenario());
    const s = await connectStream(f.app, VIEWER);
    s.send({ type: 'subscribe', topics: ['alerts', 'host'] });
    await s.waitFor((m) => m.type === 'snapshot' && m.topic === 'alerts');
    await f.advance(200 * (FAULT_STORM_COUNT + 2));
    const raised = (await s.waitFor(
      (m) => m.type === 'delta' && m.topic === 'alerts' && (m.data as DeltaData<'alerts'>).upsert.some(isFaultStorm),
    )) as { data: DeltaData<'alerts'> };
    const storm = raised.data.upsert.find(isFaultStorm)!;
    expect(storm).toMatchObject({ bdf: SERIAL, group: 7, clearedAt: null, owner: { comm: 'qemu-system-x86' } });
    expect(storm.count).toBeGreaterThanOrEqual(FAULT_STORM_COUNT);
    expect(storm.message).toContain(`IOMMU fault storm on ${SERIAL}`);

    // the host's live summary counts the alert among the active ones, and the card's faults per minute
    const host = (await s.waitFor(
      (m) => m.type === 'delta' && m.topic === 'host' && (m.data as DeltaData<'host'>).live.alertsActive > 0,
    )) as {
      data: DeltaData<'host'>;
    };
    const rate = host.data.live.iommuFaults.find((r) => r.bdf === SERIAL);
    expect(rate?.perMinute).toBeGreaterThanOrEqual(FAULT_STORM_COUNT);
    expect(rate?.perMinute).toBe(rate?.total); // less than a minute in: every fault is in the last minute

    const rest = (await f.req({ method: 'GET', url: '/api/v1/alerts', as: 'viewer' })).json();
    expect(conforms(AlertsResponse, rest)).toBe(true);
    expect(rest.alerts.find((a: { id: string }) => a.id === storm.id)).toMatchObject({ kind: 'kernel', bdf: SERIAL, clearedAt: null });
    expect(s.invalid).toEqual([]);
    s.close();
  });
});
