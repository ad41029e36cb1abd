import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conforms, AlertsResponse, EventsResponse, PinnedResponse } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
});
afterEach(async () => {
  await f.close();
});

describe('events, alerts, pinned, metrics', () => {
  it('the event log records actions and refusals, queryable by kind, text and seq', async () => {
    await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    await f.req({ method: 'POST', url: '/api/v1/groups/99/open' });
    const all = await f.req({ method: 'GET', url: '/api/v1/events', as: 'viewer' });
    expect(conforms(EventsResponse, all.json())).toBe(true);
    const events = all.json().events;
    expect(events.find((e: { op?: string; kind: string }) => e.op === 'openGroup' && e.kind === 'action')).toMatchObject({
      group: 3,
      actor: 'op (operator)',
    });
    expect(events.find((e: { kind: string }) => e.kind === 'error').message).toContain('group.open refused: ENOTFOUND');
    const errors = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=error' })).json().events;
    expect(errors.every((e: { kind: string }) => e.kind === 'error')).toBe(true);
    const since = (await f.req({ method: 'GET', url: `/api/v1/events?sinceSeq=${events[0].seq}` })).json().events;
    expect(since.length).toBe(events.length - 1);
    const text = (await f.req({ method: 'GET', url: '/api/v1/events?text=ENOTFOUND' })).json().events;
    expect(text).toHaveLength(1);
    const bad = await f.req({ method: 'GET', url: '/api/v1/events?limit=0' });
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'limit' });
  });

  it('pinned and alerts follow the protocol', async () => {
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x4000', flags: ['read'] } });
    await f.advance(200);
    const p = await f.req({ method: 'GET', url: '/api/v1/pinned', as: 'viewer' });
    expect(conforms(PinnedResponse, p.json())).toBe(true);
    expect(p.json().stats.find((s: { scope: string; id: number }) => s.scope === 'container' && s.id === c).pinnedBytes).toBe(0x4000);
    expect(p.json().dmaEntries.find((d: { container: number }) => d.container === c)).toMatchObject({ used: 1, limit: 65535 });
    const a = await f.req({ method: 'GET', url: '/api/v1/alerts', as: 'viewer' });
    expect(conforms(AlertsResponse, a.json())).toBe(true);
  });

  it('/metrics is Prometheus text for viewers', async () => {
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x1000', flags: ['read'] } });
    await f.req({ method: 'POST', url: '/api/v1/devices/0000:00:03.0/irqs/MSI', payload: { action: 'trigger' } });
    await f.advance(300);
    expect((await f.req({ method: 'GET', url: '/metrics', as: 'none' })).statusCode).toBe(401);
    const r = await f.req({ method: 'GET', url: '/metrics', as: 'viewer' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(new RegExp(`vfioscope_container_dma_mappings\\{container="${c}"\\} 1`));
    expect(r.body).toMatch(new RegExp(`vfioscope_container_pinned_bytes\\{container="${c}"\\} 4096`));
    expect(r.body).toMatch(
      /vfioscope_interrupts_total\{bdf="0000:00:03.0",index="MSI",vector="0",source="owned",owner="vfioscope"\} \d+$/m,
    );
    expect(r.body).toMatch(/vfioscope_device_interrupts_total\{bdf="0000:00:03.0",index="MSI"/);
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    const notViable = topo.groups.filter((g: { viable: boolean }) => !g.viable).length;
    expect(r.body).toContain(`vfioscope_iommu_groups{viable="false"} ${notViable}`);
    expect(r.body).toMatch(/vfioscope_pci_devices \d+/);
    expect(r.body).toMatch(/vfioscope_storms_active\{reason="absolute"\} 0/);
    expect(r.body).toMatch(/vfioscope_container_dma_entries_limit\{container="\d+"\} 65535/);
  });

  it('answers /events from the tail in memory plus bounded reads, with a cursor through a long history', async () => {
    await f.close();
    const lines: string[] = [];
    for (let seq = 1; seq <= 60_000; seq++) {
      lines.push(
        JSON.stringify({
          kind: 'action',
          message: `mapDma container 1 iova 0x${seq.toString(16)} ${'-'.repeat(200)}`,
          op: 'mapDma',
          seq,
          ts: 1_700_000_000_000 + seq,
        }),
      );
    }
    f = await makeFixture('edu', {}, (dir) => writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`));
    const recent = (await f.req({ method: 'GET', url: '/api/v1/events?limit=3' })).json();
    expect(recent.events.map((e: { seq: number }) => e.seq)).toEqual([59_998, 59_999, 60_000]);
    expect(recent).toMatchObject({ newestSeq: 60_000, oldestAvailableSeq: 1, more: { beforeSeq: 59_998 } });
    // a search that matches nothing walks the history page by bounded page, each answer quick to make
    let url = '/api/v1/events?text=zzzz';
    let pages = 0;
    for (;;) {
      const page = (await f.req({ method: 'GET', url })).json();
      expect(page.events).toEqual([]);
      pages++;
      if (page.more === null) break;
      url = `/api/v1/events?text=zzzz&beforeSeq=${page.more.beforeSeq}`;
    }
    expect(pages).toBeGreaterThan(1);
    // and from the start forwards, the oldest events come back from the file
    const first = (await f.req({ method: 'GET', url: '/api/v1/events?sinceSeq=0&limit=2' })).json();
    expect(first.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(first.more).toEqual({ sinceSeq: 2 });
    const both = await f.req({ method: 'GET', url: '/api/v1/events?sinceSeq=1&beforeSeq=9' });
    expect(both.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'beforeSeq' });
  });
});
