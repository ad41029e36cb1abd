import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadScenario } from '@vfioscope/host-sim';
import { applyIrqRatesDelta, type DeltaData, type SnapshotData } from '@vfioscope/protocol';
import { makeFixture, OPERATOR, VIEWER, type Fixture } from '../test-support/app-fixture.ts';
import { connectStream } from '../test-support/ws-client.ts';
import { StreamClient } from './client.ts';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

const connect = (fx: Fixture, token = VIEWER, headers: Record<string, string> = {}) => connectStream(fx.app, token, headers);

describe('stream: auth and origin', () => {
  it('refuses the upgrade without a token (401) and from a foreign Origin (403)', async () => {
    f = await makeFixture('edu');
    const local = { headers: { host: 'localhost:7070' } };
    await expect(f.app.injectWS('/api/v1/stream', local)).rejects.toThrow('401');
    await expect(f.app.injectWS('/api/v1/stream?token=bad-token-123', local)).rejects.toThrow('401');
    // a name the server is not known by: refused before the token is even looked at (DNS rebinding)
    await expect(f.app.injectWS(`/api/v1/stream?token=${VIEWER}`, { headers: { host: 'attacker.example:7070' } })).rejects.toThrow('421');
    await expect(
      f.app.injectWS(`/api/v1/stream?token=${VIEWER}`, { headers: { host: 'localhost:7070', origin: 'http://evil.example' } }),
    ).rejects.toThrow('403');
    const ok = await connect(f, VIEWER, { host: 'localhost:7070', origin: 'http://localhost:7070' });
    const hello = await ok.waitFor((m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', version: 1, role: 'viewer', backend: 'sim', tickHz: 10 });
    ok.close();
  });

  it('sends heartbeats on its own', async () => {
    f = await makeFixture('edu', { stream: { heartbeatMs: 50, bufferCapBytes: 1 << 20, eventsSnapshotSize: 200 } });
    const s = await connect(f);
    const hb = await s.waitFor((m) => m.type === 'heartbeat');
    expect(hb).toMatchObject({ type: 'heartbeat' });
    expect((hb as { id?: number }).id).toBeUndefined();
    s.close();
  });

  it('answers bad messages with an error and keeps the connection', async () => {
    f = await makeFixture('edu');
    const s = await connect(f);
    s.ws.send('not json');
    s.send({ type: 'subscribe', topics: ['everything'] });
    s.send({ type: 'subscribe', topics: ['device:0000:0f:00.0'] });
    s.send({ type: 'subscribe', topics: ['mappings:9'] });
    s.send({ type: 'ping', id: 7 });
    const pong = await s.waitFor((m) => m.type === 'heartbeat' && m.id === 7);
    expect(pong.type).toBe('heartbeat');
    await s.waitFor((m) => m.type === 'error' && m.error.field === 'topics' && m.topic === 'mappings:9');
    const errors = s.messages.filter((m) => m.type === 'error');
    expect(errors.map((e) => e.type === 'error' && e.error.errno)).toEqual(['EVALIDATION', 'EVALIDATION', 'ENOTFOUND', 'ENOTFOUND']);
    expect(s.invalid).toEqual([]);
    s.close();
  });
});

describe('stream: snapshot, deltas, rates', () => {
  it('sends a snapshot then per-tick deltas with seq +1, and rates match the steady load within 10 %', async () => {
    f = await makeFixture('storm');
    // a VF nobody owns, whose MSI-X vectors carry the scenario's steady 100/s each once in use
    const topo = (await f.req({ method: 'GET', url: '/api/v1/topology' })).json();
    const vf = topo.devices.find(
      (d: { physfn?: string; iommuGroup: number }) =>
        d.physfn && topo.groups.find((g: { id: number; owners: unknown[] }) => g.id === d.iommuGroup).owners.length === 0,
    );
    await f.req({ method: 'POST', url: `/api/v1/groups/${vf.iommuGroup}/open` });
    const s = await connect(f, OPERATOR);
    const topic = `device:${vf.bdf}`;
    s.send({ type: 'subscribe', topics: [topic, 'irq-rates', 'host', 'events'] });
    const snap = await s.waitFor((m) => m.type === 'snapshot' && m.topic === topic);
    const snapData = (snap as { data: SnapshotData<'device'> }).data;
    expect(snapData.groupOpen).toBe(true);
    const msix = snapData.state!.irqs.find((q) => q.name === 'MSIX')!;
    expect(msix.count).toBe(17);

    const trig = await f.req({
      method: 'POST',
      url: `/api/v1/devices/${vf.bdf}/irqs/MSIX`,
      payload: { action: 'trigger', start: 0, count: 17 },
    });
    expect(trig.statusCode).toBe(200);
    await f.advance(2000);
    await s.waitFor((m) => m.type === 'delta' && m.topic === topic && m.seq >= 20);

    for (const t of [topic, 'irq-rates']) {
      const msgs = s.of(t);
      expect(msgs[0]!.type).toBe('snapshot');
      const seqs = msgs.map((m) => m.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    }
    // the rows rebuilt from the snapshot and each delta's compact rates
    let rates = snapData.rates;
    for (const m of s.of(topic, 'delta')) rates = applyIrqRatesDelta(rates, (m.data as DeltaData<'device'>).rates)!;
    expect(rates).toHaveLength(17);
    for (const r of rates) {
      expect(r.source).toBe('owned');
      expect(r.rate).toBeGreaterThan(90);
      expect(r.rate).toBeLessThan(110);
    }
    // the state change (MSI-X enabled) arrived as a delta carrying state
    const withState = s.of(topic, 'delta').find((m) => (m.data as DeltaData<'device'>).state !== undefined);
    expect((withState!.data as DeltaData<'device'>).state!.irqs.find((q) => q.name === 'MSIX')!.enabled).toBe(true);
    // the action shows up on the events topic
    await s.waitFor((m) => m.type === 'delta' && m.topic === 'events');
    expect(s.invalid).toEqual([]);
    s.close();
  });

  it('unsubscribe acknowledges the topics it dropped and stops their deltas; the others go on', async () => {
    f = await makeFixture('storm');
    const s = await connect(f);
    const edu = 'device:0000:00:03.0'; // a device topic has a delta every tick
    s.send({ type: 'subscribe', topics: ['irq-rates', edu] });
    await s.waitFor((m) => m.type === 'snapshot' && m.topic === 'irq-rates');
    await f.advance(300);
    await s.waitFor((m) => m.type === 'delta' && m.topic === 'irq-rates');
    s.send({ type: 'unsubscribe', topics: ['irq-rates', 'alerts'] });
    const ack = await s.waitFor((m) => m.type === 'unsubscribed');
    // only what it was subscribed to is named
    expect(ack).toEqual({ type: 'unsubscribed', topics: ['irq-rates'] });
    const mark = s.messages.length;
    const rateCount = s.of('irq-rates').length;
    await f.advance(1000);
    await s.waitFor((m) => m.type === 'delta' && m.topic === edu && m.seq >= 8, mark);
    expect(s.of('irq-rates')).toHaveLength(rateCount);
    expect(s.invalid).toEqual([]);
    s.close();
  });

  it('mapping tables stream as add/remove diffs keyed by iova', async () => {
    f = await makeFixture('edu');
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    const s = await connect(f);
    s.send({ type: 'subscribe', topics: [`mappings:${c}`] });
    const snap = await s.waitFor((m) => m.type === 'snapshot');
    expect((snap as { data: SnapshotData<'mappings'> }).data).toEqual({ container: c, total: 0, rows: [] });
    // ticks with no map/unmap neither list the table nor send anything
    const listing = vi.spyOn(f.app.vfio.ctx.session, 'mappings');
    await f.advance(500);
    expect(listing).not.toHaveBeenCalled();
    expect(s.of(`mappings:${c}`, 'delta')).toEqual([]);
    listing.mockRestore();
    await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x10000', size: '0x1000', flags: ['read'] } });
    await f.advance(100);
    const add = (await s.waitFor((m) => m.type === 'delta')) as { seq: number; data: DeltaData<'mappings'> };
    expect(add.seq).toBe(1);
    expect(add.data).toMatchObject({ total: 1, change: [], remove: [] });
    expect(add.data.add.map((r) => r.iova)).toEqual(['0x10000']);
    await f.req({ method: 'DELETE', url: `/api/v1/containers/${c}/mappings`, payload: { all: true } });
    await f.advance(100);
    const rm = (await s.waitFor((m) => m.type === 'delta' && m.seq === 2)) as { data: DeltaData<'mappings'> };
    expect(rm.data).toMatchObject({ total: 0, add: [], remove: ['0x10000'] });
    s.close();
  });
});

describe('stream: storm alerts', () => {
  it('raises an alert when a vector storms and clears it when the storm ends', async () => {
    const scenario = loadScenario('storm');
    // the VM-owned VF's MSI-X vector 0: a 1.5 s storm starting 0.5 s in
    for (const d of scenario.devices) {
      for (const l of d.irqLoad ?? []) {
        if (l.profile.kind === 'storm' && l.index === 'MSIX') Object.assign(l.profile, { startMs: 500, durationMs: 1500 });
        if (l.profile.kind === 'storm' && l.index === 'INTX') Object.assign(l.profile, { startMs: 60_000 });
      }
    }
    f = await makeFixture(scenario, { storm: { absoluteRate: 20_000, sustainMs: 300, clearSustainMs: 300, clearBelowFraction: 0.5 } });
    const s = await connect(f);
    s.send({ type: 'subscribe', topics: ['alerts'] });
    await s.waitFor((m) => m.type === 'snapshot' && m.topic === 'alerts');
    await f.advance(1500);
    const raised = (await s.waitFor((m) => m.type === 'delta' && m.topic === 'alerts')) as { data: DeltaData<'alerts'> };
    const alert = raised.data.upsert[0]!;
    if (alert.kind !== 'storm') throw new Error(`a storm alert was expected, got ${alert.kind}`);
    expect(alert).toMatchObject({ index: 'MSIX', vector: 0, reason: 'absolute', clearedAt: null });
    expect(alert.owner?.comm).toBe('qemu-system-x86');
    expect(alert.peakRate).toBeGreaterThan(100_000);
    await f.advance(1500);
    const cleared = (await s.waitFor(
      (m) =>
        m.type === 'delta' &&
        m.topic === 'alerts' &&
        (m.data as DeltaData<'alerts'>).upsert.some((a) => a.id === alert.id && a.clearedAt !== null),
    )) as { data: DeltaData<'alerts'> };
    expect(cleared.data.upsert.find((a) => a.id === alert.id)!.clearedAt).toBeGreaterThan(alert.raisedAt);
    const log = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=alert,alert-cleared' })).json().events;
    expect(log.map((e: { kind: string }) => e.kind)).toEqual(['alert', 'alert-cleared']);
    s.close();
  });
});

describe('stream: a slow client', () => {
  it('is skipped while backed up, its buffer stays bounded, and it gets a fresh snapshot once it drains', async () => {
    const cap = 32 * 1024;
    // injectWS's in-memory pipe takes whatever it is sent, read or not; a socket whose peer does not
    // read holds what it was sent since: that is what this client's socket reports as buffered
    let paused = false;
    let backlog = 0;
    const send = StreamClient.prototype.send;
    vi.spyOn(StreamClient.prototype, 'send').mockImplementation(function (this: StreamClient, text: string) {
      if (paused) backlog += text.length;
      send.call(this, text);
    });
    vi.spyOn(StreamClient.prototype, 'buffered', 'get').mockImplementation(function (this: StreamClient) {
      const b = paused ? backlog : 0;
      this.maxBuffered = Math.max(this.maxBuffered, b);
      return b;
    });
    f = await makeFixture('large', { stream: { bufferCapBytes: cap, heartbeatMs: 60_000, eventsSnapshotSize: 200 } });
    await f.advance(300);
    const slow = await connect(f);
    slow.send({ type: 'subscribe', topics: ['irq-rates'] });
    await slow.waitFor((m) => m.type === 'snapshot');
    const snapshotSize = JSON.stringify(slow.messages.at(-1)).length;
    slow.ws.pause(); // stop reading: the server's socket buffer grows
    paused = true;
    await f.advance(3000);
    const stats = f.app.vfio.hub.snapshotStats();
    const me = stats.perClient[0]!;
    expect(me.skippedDeltas).toBeGreaterThan(10);
    // bounded: never more than the cap plus the one message that crossed it (plus what the pipe itself holds)
    expect(me.maxBuffered).toBeLessThan(cap + 2 * snapshotSize);
    const received = slow.messages.length;
    slow.ws.resume();
    paused = false;
    // ticks go on while the client catches up; the first tick after its buffer drained heals it
    const healed = () => slow.messages.slice(received).some((m) => m.type === 'snapshot');
    for (let i = 0; i < 100 && !healed(); i++) {
      await f.advance(100);
      await new Promise((r) => setTimeout(r, 20));
    }
    const fresh = await slow.waitFor((m) => m.type === 'snapshot', received);
    expect(f.app.vfio.hub.snapshotStats().perClient[0]!.healingSnapshots).toBeGreaterThan(0);
    // after the fresh snapshot the deltas continue from its seq
    await f.advance(200);
    await slow.waitFor((m) => m.type === 'delta' && m.seq > (fresh as { seq: number }).seq, received);
    const all = slow.of('irq-rates');
    const after = all.slice(all.findIndex((m) => m.type === 'snapshot' && m.seq === (fresh as { seq: number }).seq));
    for (let i = 1; i < after.length; i++) expect(after[i]!.seq).toBe(after[i - 1]!.seq + 1);
    expect(after.length).toBeGreaterThan(1);
    slow.close();
    vi.restoreAllMocks();
    // 60 ticks of the large host (281 groups) on the test's clock: ~20 s of CPU on a loaded 2-core box
  }, 90_000);
});
