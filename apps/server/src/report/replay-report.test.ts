/**
 * The report on a server replaying a recording (serve --replay): the alert,
 * rates, events and host facts all come from the recording — the stand-in
 * host under the app (edu) must not show through.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexRecording, type RecordingIndex } from '../replay/recording-index.ts';
import { type Fixture, makeFixture } from '../test-support/app-fixture.ts';
import { recordFixture } from '../test-support/recording-fixture.ts';

let index: RecordingIndex;
let f: Fixture | null = null;
beforeAll(async () => {
  const r = await recordFixture('storm', 9);
  index = indexRecording(r.bytes);
  rmSync(dirname(r.file), { recursive: true, force: true });
}, 60_000);
afterEach(async () => {
  await f?.close();
  f = null;
});

describe('GET /api/v1/report on a replay', () => {
  it("reports the recording's whole span from the recording: the busiest vector's shaded chart, kernel messages and the recorded host's facts", async () => {
    f = await makeFixture('edu', { replay: { file: '/data/recordings/storm.vfr', index } });
    const range = await f.req({ method: 'GET', url: `/api/v1/report?from=${index.startT}&to=${index.endT}`, as: 'viewer' });
    expect(range.statusCode, range.body.slice(0, 300)).toBe(200);
    const doc = range.body;
    expect(doc).toContain('from the recording storm.vfr');
    expect(doc).toContain('data-fact="hostname">lab</dd>');
    expect(doc).toContain('data-fact="backend">sim (scenario storm)</dd>');
    expect(doc).toMatch(/data-fact="cpus">\d+<\/dd>/);
    expect(doc).toMatch(/<rect class="storm-band"/);
    expect(doc).toMatch(/<path class="rate" d="M/);
    expect(doc).toContain('iommu-fault');
  });

  it('finds a recorded alert by its id', async () => {
    f = await makeFixture('edu', { replay: { file: 'storm.vfr', index } });
    const alertId = findStormAlertId(index);
    const res = await f.req({ method: 'GET', url: `/api/v1/report?alert=${alertId}`, as: 'viewer' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body).toMatch(/<h1>Interrupt storm on [0-9a-f:.]+ (MSIX|INTX) vector \d+<\/h1>/);
    expect(res.body).toMatch(/data-fact="owner">VM storm-vm/);
    expect(res.body).toMatch(/data-fact="why">[^<]*threshold of <b>/);
  });
});

function findStormAlertId(rec: RecordingIndex): string {
  for (let i = 0; i < rec.members.length; i++)
    for (const line of rec.memberLines(i)) {
      if (!('m' in line) || line.m.type !== 'delta' || line.m.kind !== 'alerts') continue;
      const storm = (line.m.data as { upsert: { kind: string; id: string }[] }).upsert.find((a) => a.kind === 'storm');
      if (storm) return storm.id;
    }
  throw new Error('the storm recording holds no storm alert');
}
