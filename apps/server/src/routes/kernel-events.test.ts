import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertsResponse, conforms, EventsResponse } from '@vfioscope/protocol';
import { MEMLOCK_HOLD_MS } from '@vfioscope/telemetry';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
});
afterEach(async () => {
  await f.close();
});

describe('kernel messages', () => {
  it('a mapping refused by RLIMIT_MEMLOCK reaches the event log as a kernel event, an alert and a /metrics count', async () => {
    await f.advance(100); // the follower's first read skips the ring's history
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    // the edu scenario's RLIMIT_MEMLOCK is 16 MiB: 32 MiB cannot be pinned
    const refused = await f.req({
      method: 'POST',
      url: `/api/v1/containers/${c}/mappings`,
      payload: { iova: '0x0', size: '0x2000000', flags: ['read'] },
    });
    expect(refused.json().error).toMatchObject({ errno: 'ENOMEM' });
    await f.advance(200);
    const r = await f.req({ method: 'GET', url: '/api/v1/events?kinds=kernel,alert', as: 'viewer' });
    expect(conforms(EventsResponse, r.json())).toBe(true);
    const events = r.json().events as { kind: string; op?: string; message: string; data?: Record<string, unknown> }[];
    expect(events.find((e) => e.kind === 'kernel')).toMatchObject({
      op: 'memlock-exceeded',
      message: 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded',
      data: { kind: 'memlock-exceeded', limit: 16777216 },
    });
    expect(events.find((e) => e.kind === 'alert' && e.op === 'memlock-exceeded')?.message).toContain(
      'RLIMIT_MEMLOCK (16777216 bytes) exceeded',
    );
    const m = await f.req({ method: 'GET', url: '/metrics', as: 'viewer' });
    expect(m.body).toContain('vfioscope_kernel_messages_total{bdf="",kind="memlock-exceeded"} 1');
  });

  it('a memlock refusal is a kernel alert in GET /alerts, active for the hold after the refusal, then cleared', async () => {
    await f.advance(100);
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x2000000', flags: ['read'] } });
    await f.advance(200);
    const memlock = async () => {
      const r = (await f.req({ method: 'GET', url: '/api/v1/alerts', as: 'viewer' })).json();
      expect(conforms(AlertsResponse, r)).toBe(true);
      return r.alerts.filter((a: { kind: string }) => a.kind === 'kernel');
    };
    const [raised] = await memlock();
    expect(raised).toMatchObject({ kind: 'kernel', reason: 'memlock-exceeded', count: 1, clearedAt: null });
    expect(raised.message).toContain('RLIMIT_MEMLOCK (16777216 bytes) exceeded');
    await f.advance(MEMLOCK_HOLD_MS);
    expect(await memlock()).toMatchObject([{ id: raised.id, clearedAt: expect.any(Number) }]);
    const log = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=alert-cleared', as: 'viewer' })).json().events;
    expect(log).toMatchObject([{ op: 'memlock-exceeded' }]);
  });
});
