/**
 * The host bar's Record button (#14 §1): an operator records this server's
 * own host, watches the size grow, stops, and downloads the file from the
 * list of recordings — a gzip recording whose header names the host, with
 * snapshots of every host-wide topic and the end line "stopped". A viewer
 * finds Record disabled with the role's reason, and may still download.
 * Every wait is a deadline on a condition.
 */
import { readFileSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { expect, type Page, test } from '@playwright/test';
import { HOST_WIDE_TOPICS, readRecordingText } from '@vfioscope/protocol';
import { AppPage } from '../pages/app-page.ts';
import { DEFAULT_URL, OPERATOR_TOKEN, VIEWER_TOKEN } from '../support/env.ts';

/** a recording made over REST as the operator (a few ticks long), for the viewer to find */
async function recordOverRest(): Promise<string> {
  const call = async (path: string) => {
    const res = await fetch(`${DEFAULT_URL}/api/v1/recording/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json() as Promise<{ recording: { name: string; bytes: number } }>;
  };
  await call('start');
  return (await call('stop')).recording.name;
}

async function download(page: Page, name: string): Promise<Buffer> {
  const link = page.locator(`[data-testid="recording-file"][data-name="${name}"] [data-testid="recording-download"]`);
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toBe(name);
  return readFileSync(await file.path());
}

test('operator: Record → the size grows → Stop → the recording downloads and reads back', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const start = app.testId('record-start');
  await expect(start).toBeEnabled();
  await start.click();

  const progress = app.testId('record-progress');
  await expect(progress).toHaveText(/^Stop · \d+s · [\d.]+ (B|KiB|MiB)$/);
  const bytes = async () => Number(await progress.getAttribute('data-bytes'));
  const first = await bytes();
  // the sim's default host at 10 Hz: a tick's deltas land within a second or two; the deadline is for a loaded machine
  await expect.poll(bytes, { timeout: 30_000 }).toBeGreaterThan(first);

  await app.testId('record-stop').click();
  await expect(start).toBeVisible();

  await app.testId('recordings-toggle').click();
  const newest = app.testId('recording-file').first();
  await expect(newest).toBeVisible();
  const recorded = (await newest.getAttribute('data-name')) ?? '';
  expect(recorded).toMatch(/^\d{8}T\d{6}Z-.+\.vfr$/);

  const gz = await download(page, recorded);
  const text = gunzipSync(gz, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
  const r = readRecordingText(text);
  expect(r.header).toMatchObject({ format: 'vfioscope-recording', source: 'server', redacted: false, host: { backend: 'sim' } });
  const snapshots = new Set(r.lines.flatMap((l) => ('m' in l && l.m.type === 'snapshot' ? [l.m.topic] : [])));
  for (const t of HOST_WIDE_TOPICS) expect(snapshots, t).toContain(t);
  expect(r.lines.at(-1)).toMatchObject({ end: 'stopped' });
  expect(r.end).toBe('stopped');
  expect(r.truncated).toBe(false);
});

test('viewer: Record is disabled with the reason; the recordings still download', async ({ page }) => {
  const recorded = await recordOverRest();
  const app = new AppPage(page);
  await app.login(VIEWER_TOKEN);
  const start = app.testId('record-start');
  await expect(start).toBeDisabled();
  await expect(start).toHaveAttribute('data-disabled-reason', /Viewer role/);
  await app.testId('recordings-toggle').click();
  const gz = await download(page, recorded);
  expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
});
