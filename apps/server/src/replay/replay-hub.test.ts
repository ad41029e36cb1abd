import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyIrqRatesDelta, type ServerMessage, type VectorRate } from '@vfioscope/protocol';
import type { StreamSocket } from '../stream/client.ts';
import { recordFixture } from '../test-support/recording-fixture.ts';
import { indexRecording, type RecordingIndex } from './recording-index.ts';
import { ReplayHub } from './replay-hub.ts';

let rec: RecordingIndex;
let mapAt = 0;

// one recording for every test: the storm scenario for 12 s of its clock, a keyframe every 3 s, a group opened and mapped at 5 s
beforeAll(async () => {
  const r = await recordFixture('storm', 12, {
    at: {
      5: async (f) => {
        const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container as number;
        await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x1000', flags: ['read'] } });
      },
    },
  });
  mapAt = r.stamps.get(5)!;
  rec = indexRecording(r.bytes);
  rmSync(dirname(r.file), { recursive: true, force: true });
}, 60_000);

/** a client of the replay hub: what it was sent, parsed */
function client(hub: ReplayHub) {
  const got: ServerMessage[] = [];
  const socket: StreamSocket = {
    bufferedAmount: 0,
    readyState: 1,
    OPEN: 1,
    send: (t) => void got.push(JSON.parse(t)),
    close: () => undefined,
    on: () => undefined,
  };
  return { c: hub.connect(socket, { role: 'viewer', tokenId: 't' }), got };
}

/** irq-rates rows as a client rebuilds them from what it was sent (the web's rule: snapshot, then deltas that follow) */
function rows(msgs: ServerMessage[]): { rows: VectorRate[]; seq: number } {
  let rows: VectorRate[] = [];
  let seq = -1;
  for (const m of msgs) {
    if (m.type === 'snapshot' && m.kind === 'irq-rates') [rows, seq] = [m.data.rates, m.seq];
    else if (m.type === 'delta' && m.kind === 'irq-rates') {
      expect(m.seq).toBe(seq + 1);
      const next = applyIrqRatesDelta(rows, m.data);
      expect(next).not.toBeNull();
      [rows, seq] = [next!, m.seq];
    }
  }
  return { rows, seq };
}

/** A client that played `topic` from the start for `ms` of the recording, and one that subscribed and seeked there. */
function playedAndJumped(topic: string, ms: number) {
  let now = 0;
  const hub = new ReplayHub(rec, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 20, now: () => now });
  const played = client(hub);
  void hub.subscribe(played.c, [topic]);
  hub.step();
  for (let i = 0; i < ms / 100; i++) {
    now += 100;
    hub.step();
  }
  const jumper = new ReplayHub(rec, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 20, now: () => now });
  const j = client(jumper);
  void jumper.subscribe(j.c, [topic]);
  jumper.seek(hub.state().position);
  return { played, j };
}

describe('a recording, indexed', () => {
  it('has a member per keyframe, its time span, and the moments to jump to', () => {
    expect(rec.members.length).toBe(5); // the start and four keyframes
    expect(rec.members.map((m) => m.firstT)).toEqual([...rec.members.map((m) => m.firstT)].sort((a, b) => a - b));
    expect(rec.end).toBe('stopped');
    expect(rec.endT - rec.startT).toBeGreaterThanOrEqual(11_000); // 12 s recorded, from when its first snapshots were in
    expect(rec.endT - rec.startT).toBeLessThanOrEqual(12_000);
    const kinds = new Set(rec.marks.map((m) => m.kind));
    expect(kinds).toContain('alert'); // the storm scenario's storms
    expect(kinds).toContain('action'); // the group opened and the map
    expect(rec.marks.find((m) => m.kind === 'action')!.t).toBeGreaterThanOrEqual(mapAt);
    expect(rec.marks.filter((m) => m.kind === 'alert').every((m) => /interrupt storm on/.test(m.label))).toBe(true);
  });
});

describe('ReplayHub', () => {
  it('plays the recorded stream at its own pace: snapshot, then the deltas of each second as they were', () => {
    let now = 0;
    const hub = new ReplayHub(rec, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 20, now: () => now });
    const { c, got } = client(hub);
    void hub.subscribe(c, ['irq-rates']);
    expect(got.filter((m) => m.type === 'snapshot')).toHaveLength(1);
    hub.step();
    now += 1000;
    hub.step();
    expect(hub.state().position).toBe(rec.startT + 1000);
    const deltas = got.filter((m) => m.type === 'delta');
    expect(deltas.length).toBeGreaterThanOrEqual(9);
    expect(deltas.length).toBeLessThanOrEqual(11);
    rows(got);
  });

  it('seeks: a client that jumps gets the same rows as one that played there', () => {
    const { played, j } = playedAndJumped('irq-rates', 8000); // 8 s in: two keyframes behind it
    const a = rows(played.got);
    const b = rows(j.got.slice(j.got.findLastIndex((m) => m.type === 'snapshot')));
    expect(b.seq).toBe(a.seq);
    expect(b.rows).toEqual(a.rows);
    expect(a.rows.some((r) => r.rate > 0)).toBe(true);
  });

  it("seeks a device page from its snapshot members back (recorded once per its history's span): the same rates as played", () => {
    // keyframes every 3 s snapshot the host-wide topics; a device page's snapshot is only where it was first followed
    const device = [...rec.members[0]!.snapshots].find((t) => t.startsWith('device:'));
    expect(device).toBeDefined();
    for (const m of rec.members.slice(1)) {
      expect(m.snapshots.has('irq-rates')).toBe(true);
      expect(m.snapshots.has(device!)).toBe(false);
    }
    const deviceRates = (msgs: ServerMessage[]) => {
      let rows: VectorRate[] = [];
      let seq = -1;
      for (const m of msgs) {
        if (m.type === 'snapshot' && m.kind === 'device') [rows, seq] = [m.data.rates, m.seq];
        else if (m.type === 'delta' && m.kind === 'device') {
          expect(m.seq).toBe(seq + 1);
          [rows, seq] = [applyIrqRatesDelta(rows, m.data.rates)!, m.seq];
        }
      }
      return { rows, seq };
    };
    const { played, j } = playedAndJumped(device!, 10_000); // 10 s in: three keyframes behind it
    const after = j.got.slice(j.got.findLastIndex((m) => m.type === 'snapshot'));
    expect(after.filter((m) => m.type === 'delta').length).toBeGreaterThan(80); // ~10 s of ticks since the snapshot
    const a = deviceRates(played.got);
    const b = deviceRates(after);
    expect(b.seq).toBe(a.seq);
    expect(b.rows).toEqual(a.rows);
    expect(a.rows.length).toBeGreaterThan(0);
  });

  it('plays ×16, pauses, and stops at the end', () => {
    let now = 0;
    const hub = new ReplayHub(rec, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 20, now: () => now });
    hub.step();
    hub.control({ speed: 16 });
    now += 250;
    hub.step();
    expect(hub.state().position).toBe(rec.startT + 4000);
    hub.control({ playing: false });
    now += 1000;
    hub.step();
    expect(hub.state().position).toBe(rec.startT + 4000);
    hub.control({ playing: true });
    now += 10_000;
    hub.step();
    expect(hub.state()).toMatchObject({ position: rec.endT, playing: false });
  });

  it('a topic first recorded later, asked for before it: ENODATA, and the mappings once they exist', () => {
    const hub = new ReplayHub(rec, { stepMs: 100, heartbeatMs: 5000, bufferCapBytes: 1 << 20, now: () => 0 });
    const { c, got } = client(hub);
    void hub.subscribe(c, ['mappings:1']);
    expect(got.at(-1)).toMatchObject({ type: 'error', topic: 'mappings:1', error: { errno: 'ENODATA' } });
    hub.seek(rec.endT);
    expect(got.filter((m) => m.type === 'snapshot' && m.topic === 'mappings:1')).toHaveLength(1);
    expect(JSON.stringify(got)).toContain('"iova":"0x0"');
  });
});
