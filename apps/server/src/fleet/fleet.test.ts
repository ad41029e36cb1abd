/**
 * A hub in front of three sim servers on loopback ports (edu, default and
 * storm scenarios), each a real server: the hub reaches them over HTTP and
 * WebSocket exactly as it would over the network.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHost } from '@vfioscope/host-sim';
import {
  applyIrqRatesDelta,
  conforms,
  type DeltaData,
  HostsResponse,
  type HostSummary,
  type ServerMessage,
  type SnapshotData,
} from '@vfioscope/protocol';
import type { AuditRecord } from '../audit/audit-log.ts';
import { TokenStore } from '../auth/tokens.ts';
import { listen, type RunningServer } from '../server.ts';
import { makeFixture, OPERATOR, VIEWER, type Fixture } from '../test-support/app-fixture.ts';
import { connectStream } from '../test-support/ws-client.ts';
import type { PeerConfig } from './peers-file.ts';

const HUB_TOKEN = 'the-hubs-token-for-peers-0123456789';

interface SimPeer {
  name: string;
  scenario: string;
  dataDir: string;
  port: number;
  server: RunningServer;
}

async function startPeer(name: string, scenario: string, dataDir: string, port = 0): Promise<SimPeer> {
  const server = await listen({
    host: createSimHost({ scenario }),
    tokens: new TokenStore([{ token: HUB_TOKEN, role: 'operator', hub: true, id: 'hub' }]),
    dataDir,
    listenHost: '127.0.0.1',
    port,
    webDir: join(dataDir, 'no-web'),
  });
  return { name, scenario, dataDir, port: Number(new URL(server.origin).port), server };
}

function peerAudit(p: SimPeer): AuditRecord[] {
  return readFileSync(join(p.dataDir, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** Poll until check passes or the deadline does; the last failure is the error. */
async function within<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let peers: SimPeer[] = [];
let hub: Fixture;
/** every hub answer's text, to check no peer token ever appears in one */
const answers: string[] = [];

async function hubReq(opts: Parameters<Fixture['req']>[0]) {
  const res = await hub.req(opts);
  answers.push(JSON.stringify(res.headers) + res.body);
  return res;
}

async function hosts(): Promise<HostSummary[]> {
  const res = await hubReq({ method: 'GET', url: '/api/v1/hosts', as: 'viewer' });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(conforms(HostsResponse, body)).toBe(true);
  return (body as HostsResponse).hosts;
}

beforeAll(async () => {
  peers = await Promise.all(
    [
      ['peer-edu', 'edu'],
      ['peer-default', 'default'],
      ['peer-storm', 'storm'],
    ].map(([name, scenario]) => startPeer(name!, scenario!, mkdtempSync(join(tmpdir(), `vfioscope-${name}-`)))),
  );
  const configs: PeerConfig[] = peers.map((p) => ({
    name: p.name,
    url: new URL(`http://127.0.0.1:${p.port}`),
    token: HUB_TOKEN,
    ca: null,
  }));
  hub = await makeFixture('edu', { fleet: { name: 'hub', peers: configs } });
}, 30_000);

afterAll(async () => {
  await hub?.close();
  for (const p of peers) {
    await p.server.close();
    rmSync(p.dataDir, { recursive: true, force: true });
  }
  for (const text of answers) expect(text).not.toContain(HUB_TOKEN);
});

describe('a hub in front of three peers', () => {
  it('lists itself and every peer up, with their figures', async () => {
    const list = await within(10_000, async () => {
      const l = await hosts();
      expect(l.map((h) => [h.name, h.state, h.figures !== null])).toEqual([
        ['hub', 'up', true],
        ['peer-edu', 'up', true],
        ['peer-default', 'up', true],
        ['peer-storm', 'up', true],
      ]);
      return l;
    });
    const [self, edu, dflt] = list;
    expect(self).toMatchObject({ self: true, figures: { backend: 'sim', scenario: 'edu' } });
    expect(self?.url).toBeUndefined();
    expect(edu).toMatchObject({ self: false, url: `http://127.0.0.1:${peers[0]!.port}`, link: { access: 'operator' } });
    expect(edu?.figures).toMatchObject({ scenario: 'edu', backend: 'sim', vectors: { inUse: expect.any(Number) } });
    expect(edu!.figures!.vectors.limit).toBeGreaterThan(0);
    expect(edu!.figures!.kernel).toMatch(/\S/);
    // the default scenario's bridge group is not viable, and VMs hold groups there
    expect(dflt!.figures!.groups.total).toBeGreaterThan(dflt!.figures!.groups.viable);
    expect(dflt!.figures!.groups.heldByVms).toBeGreaterThan(0);
  }, 20_000);

  it('flags the storm host once its storm is detected', async () => {
    await within(15_000, async () => {
      const storm = (await hosts()).find((h) => h.name === 'peer-storm');
      expect(storm?.figures?.alerts.storms).toBeGreaterThan(0);
    });
  }, 20_000);

  it("answers a proxied GET with the peer's own answer", async () => {
    const proxied = await hubReq({ method: 'GET', url: '/api/v1/hosts/peer-edu/topology', as: 'viewer' });
    expect(proxied.statusCode).toBe(200);
    const own = await fetch(`http://127.0.0.1:${peers[0]!.port}/api/v1/topology`, { headers: { authorization: `Bearer ${HUB_TOKEN}` } });
    expect(proxied.json()).toEqual(await own.json());
    // and a peer's problem comes through as the peer said it
    const missing = await hubReq({ method: 'GET', url: '/api/v1/hosts/peer-edu/devices/0000:7f:00.0', as: 'viewer' });
    const ownMissing = await fetch(`http://127.0.0.1:${peers[0]!.port}/api/v1/devices/0000:7f:00.0`, {
      headers: { authorization: `Bearer ${HUB_TOKEN}` },
    });
    expect(missing.statusCode).toBe(ownMissing.status);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual(await ownMissing.json());
  });

  it('serves its own name locally, and knows no other', async () => {
    const local = await hubReq({ method: 'GET', url: '/api/v1/hosts/hub/whoami', as: 'viewer' });
    expect(local.json()).toMatchObject({ role: 'viewer', tokenId: 'view' });
    // an action on its own name is its own route's: authorized, done and audited here as if asked directly
    expect((await hubReq({ method: 'POST', url: '/api/v1/hosts/hub/groups/3/open', as: 'viewer' })).statusCode).toBe(403);
    const open = await hubReq({ method: 'POST', url: '/api/v1/hosts/hub/groups/3/open' });
    expect(open.statusCode).toBe(200);
    expect(hub.attempts().filter((a) => a.action === 'group.open' && a.ok)).toEqual([
      expect.objectContaining({ tokenId: 'op', params: { group: '3' } }),
    ]);
    expect((await hubReq({ method: 'POST', url: '/api/v1/hosts/hub/groups/3/close' })).statusCode).toBe(200);
    expect((await hubReq({ method: 'GET', url: '/api/v1/hosts/nobody/topology' })).statusCode).toBe(404);
    expect((await hubReq({ method: 'GET', url: '/api/v1/hosts/peer-edu/no/such/route' })).statusCode).toBe(404);
    expect((await hubReq({ method: 'GET', url: '/api/v1/hosts/peer-edu/topology', as: 'none' })).statusCode).toBe(401);
  });

  it('audits a proxied action on the hub and, as the hub acting for the person, on the peer', async () => {
    const peer = peers[0]!;
    const open = await hubReq({ method: 'POST', url: '/api/v1/hosts/peer-edu/groups/3/open' });
    expect(open.statusCode).toBe(200);
    const container = open.json().container as number;
    const map = await hubReq({
      method: 'POST',
      url: `/api/v1/hosts/peer-edu/containers/${container}/mappings`,
      payload: { iova: '0x100000', size: '0x1000', flags: ['read'] },
    });
    expect(map.statusCode).toBe(200);
    expect(map.json().mapping).toMatchObject({ iova: '0x100000', size: '0x1000' });

    const onHub = hub.audit().filter((r) => r.phase === 'intent' || r.phase === 'result');
    expect(onHub).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ phase: 'intent', action: 'group.open', tokenId: 'op', role: 'operator', host: 'peer-edu' }),
        expect.objectContaining({ phase: 'result', action: 'group.open', ok: true, host: 'peer-edu' }),
        expect.objectContaining({
          phase: 'intent',
          action: 'dma.map',
          tokenId: 'op',
          host: 'peer-edu',
          params: expect.objectContaining({ iova: '0x100000' }),
        }),
        expect.objectContaining({ phase: 'result', action: 'dma.map', ok: true }),
      ]),
    );
    const onPeer = peerAudit(peer).filter((r) => r.phase === 'intent');
    expect(onPeer).toEqual([
      expect.objectContaining({ action: 'group.open', tokenId: 'hub', role: 'operator', onBehalfOf: 'op (operator)' }),
      expect.objectContaining({ action: 'dma.map', tokenId: 'hub', onBehalfOf: 'op (operator)' }),
    ]);
    // the hub's own host was not touched
    expect((await hubReq({ method: 'GET', url: '/api/v1/containers' })).json().containers).toEqual([]);
  });

  it('refuses a viewer acting through the proxy, before anything reaches the peer', async () => {
    const before = peerAudit(peers[0]!).length;
    const r = await hubReq({ method: 'POST', url: '/api/v1/hosts/peer-edu/groups/3/close', as: 'viewer' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.errno).toBe('EFORBIDDEN');
    expect(peerAudit(peers[0]!).length).toBe(before);
  });

  it("relays a peer's topic on the hub's stream under the host's prefix", async () => {
    const s = await connectStream(hub.app, VIEWER);
    s.send({ type: 'subscribe', topics: ['hosts/peer-storm/irq-rates', 'hosts/nobody/host'] });
    const snap = await s.waitFor((m: ServerMessage) => m.type === 'snapshot' && m.topic === 'hosts/peer-storm/irq-rates');
    expect(snap).toMatchObject({ kind: 'irq-rates' });
    const relayed = snap as { seq: number; data: SnapshotData<'irq-rates'> };
    await s.waitFor((m: ServerMessage) => m.type === 'delta' && m.topic === 'hosts/peer-storm/irq-rates' && m.seq >= relayed.seq + 3);
    // the peer's compact deltas fit the peer's snapshot as relayed: indexes and all
    let rows: SnapshotData<'irq-rates'>['rates'] | null = relayed.data.rates;
    for (const m of s.of('hosts/peer-storm/irq-rates', 'delta')) {
      rows = applyIrqRatesDelta(rows!, m.data as DeltaData<'irq-rates'>);
      expect(rows).not.toBeNull();
    }
    expect(rows!.length).toBeGreaterThan(0);
    const err = await s.waitFor((m: ServerMessage) => m.type === 'error' && m.topic === 'hosts/nobody/host');
    expect(err).toMatchObject({ error: { errno: 'ENOTFOUND' } });
    expect(s.invalid).toEqual([]);
    s.close();
  });

  it('shows a stopped peer down within 5 s, keeping its figures, and up again once it is back', async () => {
    const stopped = peers[1]!;
    await stopped.server.close();
    const stoppedAt = Date.now();
    const down = await within(5_000, async () => {
      const h = (await hosts()).find((x) => x.name === stopped.name)!;
      expect(h.state).toBe('down');
      return h;
    });
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(down.figures).not.toBeNull();
    expect(down.reason).toMatch(/\S/);
    expect((await hosts()).filter((h) => h.state === 'up').map((h) => h.name)).toEqual(['hub', 'peer-edu', 'peer-storm']);
    // an action on it now fails as the network says, and the hub's audit log has the attempt and its failure
    const tried = await hubReq({ method: 'POST', url: '/api/v1/hosts/peer-default/groups/1/open' });
    expect(tried.statusCode).toBe(502);
    expect(tried.json().error).toMatchObject({ errno: 'EIO', message: expect.stringContaining('ECONNREFUSED') });
    expect(hub.audit().filter((r) => r.phase !== 'refusals' && r.host === 'peer-default')).toEqual([
      expect.objectContaining({ phase: 'intent', action: 'group.open', tokenId: 'op' }),
      expect.objectContaining({ phase: 'result', ok: false, status: 502, errno: 'EIO' }),
    ]);

    peers[1] = await startPeer(stopped.name, stopped.scenario, stopped.dataDir, stopped.port);
    await within(8_000, async () => {
      const h = (await hosts()).find((x) => x.name === stopped.name)!;
      expect(h.state).toBe('up');
      expect(h.since).toBeGreaterThan(down.since);
    });
  }, 20_000);
});

describe('x-vfioscope-on-behalf-of on a server', () => {
  it('is refused from a token that is not a hub token', async () => {
    const r = await hub.req({
      method: 'GET',
      url: '/api/v1/whoami',
      headers: { 'x-vfioscope-on-behalf-of': 'mallory (operator)' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.message).toContain('hub token');
    expect(OPERATOR).not.toBe(HUB_TOKEN);
  });
});
