/**
 * Record → replay (#14): the built CLI records the storm scenario for 12 s
 * (`vfioscope record`, keyframes every 3 s), a second server replays the
 * file (`serve --replay`), and the browser, signed in as an operator:
 *   - sees the replay bar (the file, the recorded host), "replay" where live
 *     would be, and every action disabled with the replay's reason;
 *   - at the recording's start (paused, scrubbed there) sees no storm;
 *   - jumps to the next alert and plays until the storm banner names the
 *     vector the alert is about — the views show the recording at that moment;
 *   - scrubbed to the end, the interrupts view lists both of the scenario's storms;
 *   - an operator opens another recording (edu, 4 s) from the bar's Open…: the
 *     page starts again on it; a file that is not a recording is refused by
 *     the server, and a viewer has no Open.
 * Every wait is a deadline on a condition (a loaded 2-core machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReplayResponse } from '@vfioscope/protocol';
import { OPERATOR, ROOT, SERVER_BUNDLE, VIEWER } from '../abuse/server-process.ts';
import { AppPage } from '../pages/app-page.ts';
import { type ReplayServer, startReplayServer } from '../support/replay-server.ts';

test.describe.configure({ mode: 'serial' });

let dir = '';
let server: ReplayServer;
let replay: ReplayResponse;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dir = mkdtempSync(join(tmpdir(), 'vfioscope-replay-e2e-'));
  const file = join(dir, 'storm.vfr');
  execFileSync(
    process.execPath,
    [SERVER_BUNDLE, 'record', '--scenario', 'storm', '--duration', '12s', '--keyframe-every', '3s', '--out', file],
    {
      cwd: ROOT,
      stdio: 'ignore',
      timeout: 180_000,
    },
  );
  server = await startReplayServer(file);
  replay = await server.control({ playing: false });
});

test.afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a replay is read-only and says what it replays', async ({ page }) => {
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/topology');
  await expect(page.getByTestId('replay-file')).toHaveText('storm.vfr');
  await expect(page.getByTestId('replay-bar')).toContainText('storm');
  await expect(app.connection).toContainText('replay');
  const open = page.locator('[data-testid^="group-open-"]').first();
  await expect(open).toBeDisabled();
  await expect(open).toHaveAttribute('data-disabled-reason', /replay of a recording: read-only/);
});

test('scrub to the start, jump to the next alert, play: the storm the alert is about is on screen', async ({ page }) => {
  test.slow();
  const first = replay.marks.find((m) => m.kind === 'alert');
  expect(first?.label).toMatch(/interrupt storm on (\S+) (\S+) (\d+)/);
  const [, bdf, index, vector] = /interrupt storm on (\S+) (\S+) (\d+)/.exec(first!.label)!;
  await server.control({ seek: replay.state.startT, playing: false, speed: 1 });
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/interrupts');
  await expect(page.getByTestId('replay-clock')).toHaveText(/\d\d:\d\d:\d\d/);
  await expect(app.stormBanner).toHaveCount(0);
  await page.getByTestId('replay-next-alert').click();
  // three seconds before the alert (or the recording's start, if sooner), paused: still no storm on screen
  await expect
    .poll(async () => Number(await page.getByTestId('replay-bar').getAttribute('data-position')), { timeout: 30_000 })
    .toBe(Math.max(replay.state.startT, first!.t - 3000));
  await expect(app.stormBanner).toHaveCount(0);
  await page.getByTestId('replay-play').click();
  await expect(app.stormBanner).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('storm-vector')).toContainText(`${index}[${vector}]`);
  await expect(page.getByTestId('storm-device-link')).toHaveText(bdf!);
});

test('scrubbed to the end, the interrupts view lists both storms', async ({ page }) => {
  await server.control({ seek: replay.state.endT, playing: false });
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/interrupts');
  await expect(page.getByTestId('replay-bar')).toHaveAttribute('data-position', String(replay.state.endT), { timeout: 30_000 });
  const storms = replay.marks.filter((m) => m.kind === 'alert');
  expect(storms).toHaveLength(2);
  for (const m of storms) {
    const [, bdf] = /interrupt storm on (\S+)/.exec(m.label)!;
    await expect(page.getByTestId('alert-history')).toContainText(bdf!, { timeout: 30_000 });
  }
});

test('an operator opens another recording from the bar: it replays from its start; a viewer has no Open', async ({ page, browser }) => {
  test.slow();
  const other = join(dir, 'edu-lab.vfr');
  execFileSync(process.execPath, [SERVER_BUNDLE, 'record', '--scenario', 'edu', '--duration', '4s', '--out', other], {
    cwd: ROOT,
    stdio: 'ignore',
    timeout: 180_000,
  });
  const viewer = await browser.newPage();
  await new AppPage(viewer, server.base).login(VIEWER, '#/topology');
  await expect(viewer.getByTestId('replay-file')).toHaveText('storm.vfr');
  await expect(viewer.getByTestId('replay-open-file')).toHaveCount(0);
  await viewer.close();

  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/topology');
  await expect(page.getByTestId('replay-file')).toHaveText('storm.vfr');
  // not a recording: the server's verdict, and the replay goes on as it was
  const junk = join(dir, 'notes.vfr');
  writeFileSync(junk, 'not a recording');
  await page.getByTestId('replay-open-file').setInputFiles(junk);
  await expect(page.getByTestId('replay-open-error')).toContainText(/EVALIDATION: body: not a vfioscope recording/, { timeout: 30_000 });
  await expect(page.getByTestId('replay-file')).toHaveText('storm.vfr');
  // a recording: the page starts again on it, at its beginning
  await page.getByTestId('replay-open-file').setInputFiles(other);
  await expect(page.getByTestId('replay-file')).toHaveText('edu-lab.vfr', { timeout: 60_000 });
  await expect(page.getByTestId('replay-bar')).toContainText('edu');
  const now = await server.control({});
  expect(now.file).toBe('edu-lab.vfr');
  expect(now.header.host.scenario).toBe('edu');
  expect(now.state.position).toBeLessThan(now.state.startT + 30_000);
  // the views show the new recording's host: the edu scenario's group
  await expect(page.locator('[data-testid^="group-open-"]').first()).toBeVisible({ timeout: 30_000 });
});
