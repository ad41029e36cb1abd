import { existsSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conforms, ErrorBody, HOST_WIDE_TOPICS, readRecordingText, type RecordingStatusResponse } from '@vfioscope/protocol';
import { inflateRecording, readRecordingFile } from '../recording/read-recording.ts';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

async function until(deadlineMs: number, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not met within the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function status(fx: Fixture, as: 'operator' | 'viewer' = 'viewer'): Promise<RecordingStatusResponse> {
  const r = await fx.req({ method: 'GET', url: '/api/v1/recording', as });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<RecordingStatusResponse>();
}

describe('the Record button’s routes', () => {
  it('start → the status grows → stop → listed → downloaded, a recording readRecordingFile reads back', async () => {
    f = await makeFixture('default');
    const fx = f;
    expect(await status(fx)).toEqual({ recording: null, last: null });
    const started = await fx.req({ method: 'POST', url: '/api/v1/recording/start', payload: {} });
    expect(started.statusCode, started.body).toBe(200);
    const name = started.json<RecordingStatusResponse>().recording!.name;
    // the fixture's clock starts at 1 000 000 ms: 00:16:40 UTC on 1 January 1970
    expect(name).toMatch(/^19700101T001640Z-[A-Za-z0-9.-]+\.vfr$/);
    expect(started.json().recording).toMatchObject({ actor: 'op (operator)', redacted: false, keyframeEveryMs: 10_000 });

    let before = 0;
    await until(5000, async () => {
      before = (await status(fx)).recording?.bytes ?? 0;
      return before > 0;
    });
    await fx.advance(2000);
    await until(5000, async () => ((await status(fx)).recording?.bytes ?? 0) > before);
    const running = (await status(fx)).recording!;
    expect(running.messages).toBeGreaterThan(HOST_WIDE_TOPICS.length);
    expect(running.topics).toBeGreaterThanOrEqual(HOST_WIDE_TOPICS.length);

    const stopped = await fx.req({ method: 'POST', url: '/api/v1/recording/stop' });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json().recording).toMatchObject({ name, ended: 'stopped' });
    expect(await status(fx)).toMatchObject({ recording: null, last: { name, ended: 'stopped' } });

    const list = (await fx.req({ method: 'GET', url: '/api/v1/recordings', as: 'viewer' })).json();
    expect(list.recordings).toEqual([expect.objectContaining({ name, recording: false, bytes: stopped.json().recording.bytes })]);

    const file = join(fx.dataDir, 'recordings', name);
    const r = readRecordingFile(file);
    expect(r.header).toMatchObject({ source: 'server', redacted: false, host: { backend: 'sim', scenario: 'default' } });
    expect(r.end).toBe('stopped');

    const dl = await fx.req({ method: 'GET', url: `/api/v1/recordings/${name}`, as: 'viewer' });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/gzip');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
    const got = readRecordingText(inflateRecording(dl.rawPayload));
    expect(got.end).toBe('stopped');
    // and through this server's own per-host URL (the fleet's), as gzip still
    const self = (await fx.req({ method: 'GET', url: '/api/v1/hosts' })).json().hosts.find((h: { self: boolean }) => h.self).name;
    const mirrored = await fx.req({ method: 'GET', url: `/api/v1/hosts/${encodeURIComponent(self)}/recordings/${name}`, as: 'viewer' });
    expect(mirrored.statusCode).toBe(200);
    expect(mirrored.headers['content-type']).toBe('application/gzip');
    expect(mirrored.rawPayload.equals(dl.rawPayload)).toBe(true);
    const snapshots = new Set(got.lines.flatMap((l) => ('m' in l && l.m.type === 'snapshot' ? [l.m.topic] : [])));
    for (const t of HOST_WIDE_TOPICS) expect(snapshots).toContain(t);

    // each action audited write-ahead, and in the event log with who did it
    const attempts = fx.attempts().filter((a) => a.action.startsWith('recording.'));
    expect(attempts.map((a) => [a.action, a.ok, a.pending])).toEqual([
      ['recording.start', true, false],
      ['recording.stop', true, false],
    ]);
    const events = (await fx.req({ method: 'GET', url: '/api/v1/events?kinds=action' })).json().events as { op?: string; actor?: string }[];
    expect(events.filter((e) => e.op?.startsWith('recording.')).map((e) => [e.op, e.actor])).toEqual([
      ['recording.start', 'op (operator)'],
      ['recording.stop', 'op (operator)'],
    ]);
  });

  it('records one at a time (EBUSY), takes topics, redact and the keyframe interval, refuses stopping nothing', async () => {
    f = await makeFixture('edu');
    const first = await f.req({
      method: 'POST',
      url: '/api/v1/recording/start',
      payload: { topics: ['host', 'irq-rates'], redact: true, keyframeEveryMs: 1000 },
    });
    expect(first.statusCode, first.body).toBe(200);
    const name = first.json().recording.name as string;
    // a redacted recording does not name the host in its file name either
    expect(name).toMatch(/-redacted-host\.vfr$/);
    const again = await f.req({ method: 'POST', url: '/api/v1/recording/start', payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ errno: 'EBUSY', field: 'recording' });
    expect(again.json().error.message).toContain(name);
    await f.advance(300);
    await f.req({ method: 'POST', url: '/api/v1/recording/stop' });
    const r = readRecordingFile(join(f.dataDir, 'recordings', name));
    expect(r.header).toMatchObject({ redacted: true, keyframeEveryMs: 1000, host: { name: 'redacted-host' } });
    const topics = new Set(r.lines.flatMap((l) => ('m' in l && 'topic' in l.m ? [l.m.topic] : [])));
    expect([...topics].sort()).toEqual(['host', 'irq-rates']);

    const none = await f.req({ method: 'POST', url: '/api/v1/recording/stop' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ errno: 'EINVAL', field: 'recording' });
    for (const payload of [{ topics: ['mappings:1'] }, { topics: [] }, { keyframeEveryMs: 10 }, { redact: 'yes' }, { file: '/etc/x' }]) {
      const bad = await f.req({ method: 'POST', url: '/api/v1/recording/start', payload });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.errno).toBe('EVALIDATION');
      // the field at fault, down to the item ("topics.0")
      expect(bad.json().error.field, JSON.stringify(payload)).toMatch(new RegExp(`^${Object.keys(payload)[0]}\\b`));
    }
    expect((await status(f)).recording).toBeNull();
  });

  it('refuses the viewer the actions (a viewer reads the status and the list)', async () => {
    f = await makeFixture('edu');
    for (const url of ['/api/v1/recording/start', '/api/v1/recording/stop']) {
      const r = await f.req({ method: 'POST', url, as: 'viewer' });
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error).toMatchObject({ errno: 'EFORBIDDEN' });
    }
    expect(await status(f)).toEqual({ recording: null, last: null });
    expect((await f.req({ method: 'GET', url: '/api/v1/recordings', as: 'viewer' })).json()).toEqual({ recordings: [] });
    expect(existsSync(join(f.dataDir, 'recordings'))).toBe(false);
  });

  it('serves only recordings by their plain name: no path out of the directory, ENOENT for an unknown one', async () => {
    f = await makeFixture('edu');
    await f.req({ method: 'POST', url: '/api/v1/recording/start' });
    await f.req({ method: 'POST', url: '/api/v1/recording/stop' });
    for (const name of [
      '..%2Faudit.log',
      '..%2F..%2Fetc%2Fpasswd',
      '%2E%2E%2Fevents.jsonl.vfr',
      'events.jsonl',
      '.hidden.vfr',
      'a%2Fb.vfr',
      'a%5Cb.vfr',
      'x%00.vfr',
    ]) {
      const r = await f.req({ method: 'GET', url: `/api/v1/recordings/${name}`, as: 'viewer' });
      expect([400, 404], `${name} → ${r.statusCode}`).toContain(r.statusCode);
      expect(conforms(ErrorBody, r.json()), name).toBe(true);
      if (r.statusCode === 400) expect(r.json().error, name).toMatchObject({ errno: 'EVALIDATION', field: 'name' });
    }
    const unknown = await f.req({ method: 'GET', url: '/api/v1/recordings/20260101T000000Z-nowhere.vfr', as: 'viewer' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ errno: 'ENOENT', field: 'name' });
  });

  it('a full disk ends the recording with an error event; the server goes on and can record again', async () => {
    f = await makeFixture('edu', { recordingOpenFile: () => openSync('/dev/full', 'w') });
    const fx = f;
    const started = await fx.req({ method: 'POST', url: '/api/v1/recording/start' });
    expect(started.statusCode, started.body).toBe(200);
    const name = started.json().recording.name as string;
    await until(5000, async () => (await status(fx)).recording === null);
    const last = (await status(fx)).last!;
    expect(last).toMatchObject({ name, ended: 'disk-full', failure: { errno: 'ENOSPC' } });
    const errors = (await fx.req({ method: 'GET', url: '/api/v1/events?kinds=error' })).json().events as {
      op?: string;
      errno?: string;
      message: string;
    }[];
    const event = errors.find((e) => e.op === 'recording');
    expect(event).toMatchObject({ errno: 'ENOSPC' });
    expect(event?.message).toContain(name);
    expect(event?.message).toContain('disk is full');
    // the server: still answering, still streaming, still acting
    await fx.advance(500);
    expect((await fx.req({ method: 'GET', url: '/api/v1/host' })).statusCode).toBe(200);
    expect((await fx.req({ method: 'POST', url: '/api/v1/groups/3/open' })).statusCode).toBe(200);
    const again = await fx.req({ method: 'POST', url: '/api/v1/recording/start' });
    expect(again.statusCode, again.body).toBe(200);
    await until(5000, async () => (await status(fx)).recording === null);
  });

  it('the server’s shutdown ends a running recording cleanly, with its end line', async () => {
    const fx = await makeFixture('edu');
    const name = (await fx.req({ method: 'POST', url: '/api/v1/recording/start' })).json().recording.name as string;
    await fx.advance(500);
    await fx.app.close();
    const r = readRecordingFile(join(fx.dataDir, 'recordings', name));
    expect(r.end).toBe('server-gone');
    expect(r.truncated).toBe(false);
    expect(readdirSync(join(fx.dataDir, 'recordings'))).toEqual([name]);
    await fx.host.close();
    rmSync(fx.dataDir, { recursive: true, force: true });
  });
});
