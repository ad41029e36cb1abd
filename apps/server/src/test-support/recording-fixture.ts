/**
 * Test fixture: a recording made by the Recorder on the app fixture's sim
 * (manual clock), second by second, with a keyframe every `keyframeEvery`
 * seconds and whatever the test does at given seconds (`at`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@vfioscope/protocol';
import { hubTap } from '../recording/hub-tap.ts';
import { Recorder } from '../recording/recorder.ts';
import { RecordingWriter } from '../recording/recording-writer.ts';
import { makeFixture, type Fixture } from './app-fixture.ts';

export interface RecordedFixture {
  file: string;
  bytes: Buffer;
  /** the fixture's clock when each `at` step ran */
  stamps: Map<number, number>;
}

async function until(deadlineMs: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met within the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function recordFixture(
  scenario: string,
  seconds: number,
  { keyframeEvery = 3, at = {} }: { keyframeEvery?: number; at?: Record<number, (f: Fixture) => Promise<void>> } = {},
): Promise<RecordedFixture> {
  const f = await makeFixture(scenario);
  const file = join(mkdtempSync(join(tmpdir(), 'vfioscope-recording-')), `${scenario}.vfr`);
  const writer = new RecordingWriter(file, {
    format: 'vfioscope-recording',
    version: 1,
    protocolVersion: PROTOCOL_VERSION,
    startedAt: f.clock.now(),
    source: 'in-process',
    host: { name: 'lab', kernel: '6.1', backend: 'sim', scenario },
    tickHz: 10,
    keyframeEveryMs: keyframeEvery * 1000,
    redacted: false,
  });
  // the keyframes are made here, on the fixture's clock, not by the recorder's (real-time) timer
  const recorder = new Recorder(hubTap(f.app.vfio.hub), writer, {
    keyframeEveryMs: keyframeEvery * 1000,
    keyframeTimer: false,
    now: () => f.clock.now(),
  });
  const stamps = new Map<number, number>();
  recorder.start();
  try {
    for (let s = 1; s <= seconds; s++) {
      await f.advance(1000);
      const step = at[s];
      if (step) {
        stamps.set(s, f.clock.now());
        await step(f);
      }
      if (s % keyframeEvery === 0) {
        const n = recorder.status().keyframes;
        recorder.keyframe();
        await until(5000, () => recorder.status().keyframes === n + 1);
      }
    }
    await recorder.stop('stopped');
  } finally {
    await f.close();
  }
  return { file, bytes: readFileSync(file), stamps };
}
