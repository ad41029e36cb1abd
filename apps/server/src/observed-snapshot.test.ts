/**
 * Every reader of topology and owners — read routes, validation, the stream,
 * /metrics, telemetry — shares ctx.observed: an action is seen by the next
 * read with no time passing, and a burst of readers costs one walk of the host.
 * The fixture's clock stands still unless a test advances it, so the
 * schedule never explains what these tests see; only invalidation can.
 */
import type { GroupOwner, Host, Topology } from '@vfioscope/host';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { makeFixture, VIEWER, type Fixture } from './test-support/app-fixture.ts';
import { TestStream } from './test-support/ws-client.ts';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

/** the app's host with its sysfs/procfs walks counted */
function counting(walks: { topology: number; owners: number }) {
  return (host: Host): Host =>
    Object.create(host, {
      topology: {
        value: (): Promise<Topology> => {
          walks.topology++;
          return host.topology();
        },
      },
      owners: {
        value: (): Promise<GroupOwner[]> => {
          walks.owners++;
          return host.owners();
        },
      },
    });
}

interface GroupJson {
  id: number;
  viable: boolean;
  container: number | null;
  owners: { self: boolean }[];
}

async function group(fx: Fixture, id: number): Promise<GroupJson> {
  const topo = (await fx.req({ method: 'GET', url: '/api/v1/topology', as: 'viewer' })).json();
  return topo.groups.find((g: GroupJson) => g.id === id);
}

async function connect(fx: Fixture): Promise<TestStream> {
  let s: TestStream | null = null;
  await fx.app.injectWS(
    `/api/v1/stream?token=${VIEWER}`,
    { headers: { host: 'localhost:80' } },
    {
      onInit: (ws) => {
        s = new TestStream(ws as unknown as WebSocket);
      },
    },
  );
  return s!;
}

describe('the observed-host snapshot', () => {
  it('a group opened or closed is in the next topology read, with no time passing', async () => {
    f = await makeFixture('edu');
    expect((await group(f, 3)).owners).toEqual([]);

    const open = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    expect(open.statusCode).toBe(200);
    const held = await group(f, 3);
    expect(held.container).toBe(open.json().container);
    expect(held.owners.map((o) => o.self)).toEqual([true]);

    await f.req({ method: 'POST', url: '/api/v1/groups/3/close' });
    const released = await group(f, 3);
    expect(released).toMatchObject({ container: null, owners: [] });
  });

  it('a driver bind is seen by the next validation and the next group open, not only by the topology', async () => {
    f = await makeFixture('edu');
    const e1000 = '0000:01:02.0';
    const before = await f.req({ method: 'GET', url: `/api/v1/devices/${e1000}`, as: 'viewer' });
    expect(before.json()).toMatchObject({ bdf: e1000, pci: { driver: 'e1000' } });
    expect((await group(f, 5)).viable).toBe(false);

    await f.req({ method: 'POST', url: `/api/v1/devices/${e1000}/bind`, payload: { driver: 'vfio-pci' } });
    // GET /devices/:bdf finds the device through validation (knownDevice): the snapshot it reads is the new one
    const after = await f.req({ method: 'GET', url: `/api/v1/devices/${e1000}`, as: 'viewer' });
    expect(after.json()).toMatchObject({ bdf: e1000, pci: { driver: 'vfio-pci' } });
    expect((await group(f, 5)).viable).toBe(true);

    // the open takes the group's vfio-pci functions from the snapshot: the newly bound one among them
    const open = await f.req({ method: 'POST', url: '/api/v1/groups/5/open' });
    expect(open.statusCode).toBe(200);
    expect(open.json().devices).toContain(e1000);
  });

  it('after an action, concurrent route reads, validations, a /metrics scrape, a stream tick and a telemetry tick cost one walk', async () => {
    const walks = { topology: 0, owners: 0 };
    f = await makeFixture('edu', { wrapHost: counting(walks) });
    const s = await connect(f);
    s.send({ type: 'subscribe', topics: ['topology'] });
    await s.waitFor((m) => m.type === 'snapshot' && m.topic === 'topology');

    const opened = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    expect(opened.statusCode).toBe(200);
    const from = s.messages.length;
    walks.topology = 0;
    walks.owners = 0;

    const fx = f;
    const [topologies, details, metrics] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => fx.req({ method: 'GET', url: '/api/v1/topology', as: 'viewer' }))),
      Promise.all(Array.from({ length: 4 }, () => fx.req({ method: 'GET', url: '/api/v1/devices/0000:00:03.0', as: 'viewer' }))),
      fx.req({ method: 'GET', url: '/metrics', as: 'viewer' }),
      fx.app.vfio.tick(), // telemetry, then the stream (its topology topic was marked changed by the open)
    ]);
    expect(walks).toEqual({ topology: 1, owners: 1 });

    // and every one of them saw the open
    for (const r of topologies) expect(r.json().groups.find((g: GroupJson) => g.id === 3).container).toBe(opened.json().container);
    for (const r of details) expect(r.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^vfioscope_iommu_groups\{viable="true"\} \d+$/m);
    const delta = await s.waitFor((m) => m.type === 'delta' && m.topic === 'topology', from);
    const streamed = (delta.type === 'delta' ? delta.data : null) as { groups: GroupJson[] };
    expect(streamed.groups.find((g) => g.id === 3)?.container).toBe(opened.json().container);

    // nothing changed and no time passed: the next burst walks nothing
    await Promise.all([
      fx.req({ method: 'GET', url: '/api/v1/topology', as: 'viewer' }),
      fx.req({ method: 'GET', url: '/metrics', as: 'viewer' }),
    ]);
    expect(walks).toEqual({ topology: 1, owners: 1 });
    s.close();
  });
});
