import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type RecordingHeader, type ServerMessage } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';
import { hubTap } from './hub-tap.ts';
import { readRecordingFile } from './read-recording.ts';
import { HOST_WIDE_TOPICS } from './recorded-topics.ts';
import { keyframeTopics, Recorder } from './recorder.ts';
import { RecordingWriter } from './recording-writer.ts';

const HEADER: RecordingHeader = {
  format: 'vfioscope-recording',
  version: 1,
  protocolVersion: PROTOCOL_VERSION,
  startedAt: 0,
  source: 'in-process',
  host: { name: 'r750-lab-07', kernel: '6.1', backend: 'sim', scenario: 'default' },
  tickHz: 10,
  keyframeEveryMs: 10_000,
  redacted: false,
};

let f: Fixture | null = null;
let dir = '';
afterEach(async () => {
  await f?.close();
  f = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(deadlineMs: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met within the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const topicOf = (m: ServerMessage) => ('topic' in m ? m.topic : undefined);

describe('Recorder on the hub', () => {
  it('records every host-wide topic, follows held containers and firing devices, gapless, with keyframes and an end', async () => {
    f = await makeFixture('default');
    dir = mkdtempSync(join(tmpdir(), 'rec-'));
    const file = join(dir, 'r.vfr');
    const writer = new RecordingWriter(file, HEADER);
    const recorder = new Recorder(hubTap(f.app.vfio.hub), writer, { keyframeEveryMs: 120_000, now: () => f!.clock.now() });
    recorder.start();
    await f.advance(1000);
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/15/open' })).json().container as number;
    await f.req({
      method: 'POST',
      url: `/api/v1/containers/${c}/mappings`,
      payload: { iova: '0x0', size: '0x200000', flags: ['read', 'write'] },
    });
    await f.advance(1000);
    // a keyframe now (its interval DEVICE_SNAPSHOT_EVERY_MS: device pages too): fresh snapshots of every followed topic after its marker
    recorder.keyframe();
    await until(5000, () => recorder.status().keyframes === 1);
    await f.advance(500);
    const status = await recorder.stop('stopped');
    expect(status.ended).toBe('stopped');

    const r = readRecordingFile(file);
    expect(r.end).toBe('stopped');
    const msgs = r.lines.flatMap((l) => ('m' in l ? [l.m] : []));
    const snapshotted = new Set(msgs.filter((m) => m.type === 'snapshot').map(topicOf));
    for (const t of HOST_WIDE_TOPICS) expect(snapshotted).toContain(t);
    expect(snapshotted).toContain(`mappings:${c}`);
    const mappings = msgs.filter((m) => topicOf(m) === `mappings:${c}`);
    expect(JSON.stringify(mappings)).toContain('0x200000');
    const devices = [...snapshotted].filter((t) => t?.startsWith('device:'));
    expect(devices.length).toBeGreaterThan(0);

    // nothing skipped: per topic, each delta's seq follows the message before it
    const last = new Map<string, number>();
    let deltas = 0;
    for (const m of msgs) {
      if (m.type !== 'snapshot' && m.type !== 'delta') continue;
      if (m.type === 'delta') {
        expect(m.seq).toBe((last.get(m.topic) ?? Number.NaN) + 1);
        deltas++;
      }
      last.set(m.topic, m.seq);
    }
    expect(deltas).toBeGreaterThan(20);

    // after the keyframe marker, a snapshot of every topic followed by then
    const k = r.keyframes[0]!;
    const after = new Set(r.lines.slice(k).flatMap((l) => ('m' in l && l.m.type === 'snapshot' ? [topicOf(l.m)] : [])));
    for (const t of [...HOST_WIDE_TOPICS, `mappings:${c}`, ...devices]) expect(after).toContain(t);
    // stamped with the recorder's clock, in order
    const times = r.lines.map((l) => l.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('keyframeTopics', () => {
  const followed = ['topology', 'irq-rates', 'mappings:3', 'device:0000:41:00.0', 'device:0000:03:00.0'];
  it('snapshots a device page every DEVICE_SNAPSHOT_EVERY_MS (120 s), everything else at every keyframe', () => {
    const devicesAt = (everyMs: number) =>
      [1, 2, 3, 4, 5, 6, 7, 12, 24].filter((n) => keyframeTopics(followed, n, everyMs).includes('device:0000:41:00.0'));
    expect(devicesAt(10_000)).toEqual([12, 24]);
    expect(devicesAt(30_000)).toEqual([4, 12, 24]);
    expect(devicesAt(60_000)).toEqual([2, 4, 6, 12, 24]);
    expect(devicesAt(180_000)).toEqual([1, 2, 3, 4, 5, 6, 7, 12, 24]);
    expect(keyframeTopics(followed, 1, 10_000)).toEqual(['topology', 'irq-rates', 'mappings:3']);
    expect(keyframeTopics(followed, 12, 10_000)).toEqual(followed);
  });
});
