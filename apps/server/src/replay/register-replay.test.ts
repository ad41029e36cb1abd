import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayResponse } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';
import { recordFixture } from '../test-support/recording-fixture.ts';
import { indexRecording, type RecordingIndex } from './recording-index.ts';

let index: RecordingIndex;
/** a second recording's file, to open over the first */
let other: Buffer;
let f: Fixture | null = null;
beforeAll(async () => {
  const r = await recordFixture('storm', 9);
  index = indexRecording(r.bytes);
  rmSync(dirname(r.file), { recursive: true, force: true });
  const o = await recordFixture('edu', 3);
  other = o.bytes;
  rmSync(dirname(o.file), { recursive: true, force: true });
}, 60_000);
afterEach(async () => {
  await f?.close();
  f = null;
});

describe('a server replaying a recording', () => {
  it('says what it replays and where, and moves where it is told (a viewer may drive it)', async () => {
    f = await makeFixture('edu', { replay: { file: '/data/recordings/storm.vfr', index } });
    const got = (await f.req({ method: 'GET', url: '/api/v1/replay', as: 'viewer' })).json() as ReplayResponse;
    expect(got).toMatchObject({ file: 'storm.vfr', ended: 'stopped', header: { host: { name: 'lab', scenario: 'storm' } } });
    expect(got.state).toMatchObject({ startT: index.startT, endT: index.endT, playing: true, speed: 1 });
    expect(got.marks.some((m) => m.kind === 'alert')).toBe(true);
    const mid = index.startT + 4000;
    const moved = await f.req({ method: 'POST', url: '/api/v1/replay', as: 'viewer', payload: { seek: mid, speed: 16, playing: false } });
    expect(moved.statusCode).toBe(200);
    expect((moved.json() as ReplayResponse).state).toMatchObject({ position: mid, speed: 16, playing: false });
    const bad = await f.req({ method: 'POST', url: '/api/v1/replay', as: 'viewer', payload: { speed: 3 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'speed' });
  });

  it("is read-only: actions answer EROFS before anything runs, the host's own reads ENODATA; health names the recorded host", async () => {
    f = await makeFixture('edu', { replay: { file: 'storm.vfr', index } });
    const open = await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
    expect(open.statusCode).toBe(403);
    expect(open.json().error.errno).toBe('EROFS');
    expect((await f.host.owners()).filter((o) => o.self)).toEqual([]);
    const topo = await f.req({ method: 'GET', url: '/api/v1/topology' });
    expect(topo.statusCode).toBe(404);
    expect(topo.json().error.errno).toBe('ENODATA');
    const health = (await f.req({ method: 'GET', url: '/api/v1/health', as: 'none' })).json();
    expect(health).toMatchObject({ backend: 'sim', scenario: 'storm' });
    expect((await f.req({ method: 'GET', url: '/api/v1/whoami' })).statusCode).toBe(200);
  });

  it("answers the charts' history from the recording, up to the position", async () => {
    f = await makeFixture('edu', { replay: { file: 'storm.vfr', index } });
    const [, bdf, irq, vector] = /interrupt storm on (\S+) (\S+) (\d+)/.exec(index.marks.find((m) => m.kind === 'alert')!.label)!;
    const key = encodeURIComponent(`${bdf}/${irq}/${vector}`);
    const history = async (resolution: string) =>
      (await f!.req({ method: 'GET', url: `/api/v1/irqs/history?key=${key}&resolution=${resolution}`, as: 'viewer' })).json() as {
        points: { t: number; rate: number }[];
      };
    await f.req({ method: 'POST', url: '/api/v1/replay', as: 'viewer', payload: { seek: index.endT, playing: false } });
    const ticks = (await history('tick')).points;
    expect(ticks.length).toBeGreaterThan(50); // ~9 s at 10 Hz
    expect(ticks.every((p) => p.t <= index.endT)).toBe(true);
    expect(Math.max(...ticks.map((p) => p.rate))).toBeGreaterThan(10_000); // the storm
    const seconds = (await history('1s')).points;
    expect(seconds.length).toBeGreaterThanOrEqual(8);
    expect(seconds.length).toBeLessThanOrEqual(11);
    // earlier in the recording, less of it
    await f.req({ method: 'POST', url: '/api/v1/replay', as: 'viewer', payload: { seek: index.startT + 2000 } });
    expect((await history('tick')).points.length).toBeLessThan(ticks.length / 2);
  });

  it("opens another recording sent as the body (an operator's): the timeline starts again at its beginning", async () => {
    f = await makeFixture('edu', { replay: { file: 'storm.vfr', index } });
    const open = (payload: Buffer | string, o: { as?: 'operator' | 'viewer'; type?: string; url?: string } = {}) =>
      f!.req({
        method: 'POST',
        url: o.url ?? '/api/v1/replay/open?name=edu-lab.vfr',
        as: o.as ?? 'operator',
        headers: { 'content-type': o.type ?? 'application/gzip' },
        payload,
      });
    await f.req({ method: 'POST', url: '/api/v1/replay', payload: { seek: index.endT } });
    const opened = await open(other);
    expect(opened.statusCode).toBe(200);
    const got = opened.json() as ReplayResponse;
    expect(got).toMatchObject({ file: 'edu-lab.vfr', header: { host: { scenario: 'edu' } }, ended: 'stopped' });
    expect(got.state.position).toBe(got.state.startT);
    expect(got.state.endT - got.state.startT).toBeLessThanOrEqual(3000); // the 3 s edu recording, not the 9 s storm
    expect(((await f.req({ method: 'GET', url: '/api/v1/replay', as: 'viewer' })).json() as ReplayResponse).file).toBe('edu-lab.vfr');
    // who, what and where
    const viewer = await open(other, { as: 'viewer' });
    expect(viewer.statusCode).toBe(403);
    const junk = await open(Buffer.from('not a recording'));
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'body' });
    expect((await open('{}', { type: 'application/json' })).json().error).toMatchObject({ errno: 'EVALIDATION', field: 'body' });
    const unnamed = await open(other, { url: '/api/v1/replay/open?name=..%2Fetc%2Fpasswd' });
    expect(unnamed.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'name' });
    const elsewhere = await open(other, { url: '/api/v1/replay' });
    expect(elsewhere.statusCode).toBe(415);
    expect(elsewhere.json().error).toMatchObject({ errno: 'EVALIDATION', field: 'content-type' });
    // audited by its name and size, never its bytes
    const audited = f.audit().filter((l) => JSON.stringify(l).includes('replay.open'));
    expect(JSON.stringify(audited)).toContain(`"bytes":${other.length}`);
    expect(JSON.stringify(audited)).toContain('edu-lab.vfr');
    expect(JSON.stringify(audited).length).toBeLessThan(20_000);
    // the failed attempts left the opened recording in place
    expect(((await f.req({ method: 'GET', url: '/api/v1/replay', as: 'viewer' })).json() as ReplayResponse).file).toBe('edu-lab.vfr');
  });

  it('a live server has no recording to replay: ENODATA', async () => {
    f = await makeFixture('edu');
    const got = await f.req({ method: 'GET', url: '/api/v1/replay', as: 'viewer' });
    expect(got.statusCode).toBe(404);
    expect(got.json().error.errno).toBe('ENODATA');
    const open = await f.req({
      method: 'POST',
      url: '/api/v1/replay/open?name=x.vfr',
      headers: { 'content-type': 'application/gzip' },
      payload: other,
    });
    expect(open.statusCode).toBe(404);
    expect(open.json().error.errno).toBe('ENODATA');
  });
});
