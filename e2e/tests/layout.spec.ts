/**
 * Legible on a projector, usable at 1024 px (#9 §7): the main text colours
 * keep 4.5:1 against what is behind them (chart axes included); presentation
 * mode enlarges, raises contrast and drops secondary panels, remembered and
 * settable by ?present=1; at 1024 × 768 the host bar clips nothing, the nav
 * rail is icons only, owner names do not break inside a word.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { ShellPage } from '../pages/shell-page.ts';
import { contrastsOf } from '../support/contrast.ts';
import { DEVICES, DOC_SCREENSHOTS } from '../support/env.ts';

/** representative text of each colour role, and where it is found */
const TOPOLOGY_TEXT = {
  'body text': '.page-head h1',
  'host fact value': '[data-testid="host-kernel"] .v',
  'host fact label (faint)': '[data-testid="host-kernel"] .k',
  'muted text': '.page-head .sub',
  'faint text': '.faint',
  'nav link': '.nav a:not(.active)',
  'badge ok': '.badge.ok',
  'badge bad': '.badge.bad',
  'badge warn': '.badge.warn',
  'badge (plain)': '.badge:not(.ok):not(.bad):not(.warn):not(.info):not(.accent)',
  'section heading': '.section-head h2',
};
const DEVICE_TEXT = {
  // a vector card's chart is a canvas (Sparkline): its scale, the top of its axis, is the chart's text
  'chart scale text': '.sparkline-top',
  'label (dim)': '.kv dt',
  'panel heading': '.panel-head h3',
};

async function measure(page: Page, selectors: Record<string, string>, min: number): Promise<string[]> {
  const roles = Object.entries(selectors);
  for (const [role, selector] of roles) await expect(page.locator(selector).first(), `${role}: ${selector} on the page`).toBeAttached();
  const results = await contrastsOf(
    page,
    roles.map(([, selector]) => selector),
  );
  const report = results.map((c, i) => `${roles[i]![0].padEnd(24)} ${c ? `${c.ratio}:1  ${c.fg} on ${c.bg}  "${c.text}"` : 'missing'}`);
  roles.forEach(([role, selector], i) => {
    const c = results[i];
    expect(c, `${role}: ${selector}`).toBeTruthy();
    expect(c!.ratio, `${role} (${selector}): ${c!.fg} on ${c!.bg}`).toBeGreaterThanOrEqual(min);
  });
  return report;
}

test('text contrast is at least 4.5:1 for the main text colours, chart axes included', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.login();
  const report = await measure(page, TOPOLOGY_TEXT, 4.5);
  const dev = new DevicePage(app);
  await dev.open(DEVICES.vmNvme);
  await expect(dev.vector('MSIX', 0).chart).toBeVisible();
  report.push(...(await measure(page, DEVICE_TEXT, 4.5)));
  await info.attach('contrast', { body: report.join('\n'), contentType: 'text/plain' });
});

test('presentation mode: larger, higher contrast, fewer panels; remembered, and ?present=1 turns it on', async ({ page }) => {
  const app = new AppPage(page);
  const shell = new ShellPage(page);
  await app.login();
  await expect(shell.app).toHaveAttribute('data-presentation', 'false');
  await shell.presentToggle.click();
  await expect(shell.presentToggle).toHaveAttribute('aria-pressed', 'true');
  await expect(shell.app).toHaveClass(/\bpresenting\b/);
  expect(Number(await shell.style('.app', 'zoom'))).toBeGreaterThanOrEqual(1.2);
  // high contrast: body text near white on black, secondary text well past AA
  await measure(page, { 'body text': '.page-head h1' }, 12);
  await measure(page, { 'muted text': '.page-head .sub', 'faint text': '.faint', 'host fact label': '[data-testid="host-iommu"] .k' }, 7);
  await expect(app.testId('host-dma-limit')).toBeHidden();
  await expect(app.testId('host-memlock')).toBeVisible();

  const dev = new DevicePage(app);
  await dev.open(DEVICES.vmNvme);
  await expect(dev.vector('MSIX', 0).chart).toBeVisible();
  await expect(app.testId('regions')).toBeHidden();
  await expect(app.testId('config-panel')).toBeHidden();
  await app.go('#/topology');
  await expect(app.testId('topology-view')).toBeVisible();
  await app.screenshot('presentation');
  await page.screenshot({ path: `${DOC_SCREENSHOTS}presentation.png` });

  // remembered across a reload
  await page.reload();
  await expect(shell.app).toHaveAttribute('data-presentation', 'true');
  await shell.presentToggle.click();
  await expect(shell.app).toHaveAttribute('data-presentation', 'false');
  await page.reload();
  await expect(shell.app).toHaveAttribute('data-presentation', 'false');
  // a demo link turns it on
  await page.goto('/?present=1#/topology');
  await expect(shell.app).toHaveAttribute('data-presentation', 'true');
  await shell.presentToggle.click();
});

/** elements inside `root` whose content is wider than their box, or that stick out of it */
function overflowing(page: Page, root: string): Promise<string[]> {
  // a string: this file is typechecked without the DOM lib
  return page.evaluate(`(() => {
    const root = document.querySelector(${JSON.stringify(root)});
    const box = root.getBoundingClientRect();
    const bad = [];
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const name = (el.getAttribute('data-testid') || el.className.baseVal || el.className || el.tagName) + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) bad.push(name + ' scrollWidth ' + el.scrollWidth + ' > ' + el.clientWidth);
      if (r.right > box.right + 1 || r.bottom > box.bottom + 1) bad.push(name + ' outside the bar');
    }
    return bad;
  })()`);
}

test('at 1024 × 768: the host bar clips nothing, the nav is icons only, owner names stay whole', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const app = new AppPage(page);
  await app.login();
  await expect(app.testId('host-vectors')).toBeVisible();
  expect(await overflowing(page, '[data-testid="host-bar"]')).toEqual([]);
  await expect(app.testId('host-memlock')).toContainText('vfioscope memlock');

  const nav = app.testId('nav');
  const navBox = await nav.boundingBox();
  expect(navBox!.width).toBeLessThanOrEqual(64);
  await expect(nav.locator('.nav-label').first()).toBeHidden();
  await expect(app.testId('nav-interrupts')).toHaveAttribute('aria-label', /^Interrupts/);

  // owner names: one line, cut with an ellipsis (and the full name in a title) rather than inside a word
  await expect(app.testId('group-owner').first()).toBeVisible();
  // each owner line (a VM's name · pid · locked memory, or vfioscope / free)
  const owners = (await page.evaluate(`[...document.querySelectorAll('.owner, .owner-line')].map((el) => {
    const s = getComputedStyle(el);
    return { text: el.textContent, style: s.whiteSpace + ' ' + s.textOverflow, clipped: el.scrollWidth > el.clientWidth, title: el.closest('[title]')?.title ?? '' };
  })`)) as { text: string; style: string; clipped: boolean; title: string }[];
  expect(owners.length).toBeGreaterThan(0);
  for (const o of owners) {
    expect(o.style, o.text).toBe('nowrap ellipsis');
    if (o.clipped) expect(o.title, `${o.text} is cut: a title names it whole`).not.toBe('');
  }
  // nowhere on the page may an owner ("… pid N") be broken at an arbitrary letter
  const breakAnywhere = await page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((el) => /pid \\d/.test(el.textContent || '') && el.children.length === 0)
    .filter((el) => { const s = getComputedStyle(el); return s.wordBreak === 'break-all' || s.overflowWrap === 'anywhere'; })
    .map((el) => el.textContent)`);
  expect(breakAnywhere).toEqual([]);
  await app.screenshot('layout-1024');
  await page.screenshot({ path: `${DOC_SCREENSHOTS}layout-1024.png` });

  // the device page too: its header and panels fit
  const dev = new DevicePage(app);
  await dev.open(DEVICES.vmGpu);
  expect(await overflowing(page, '[data-testid="host-bar"]')).toEqual([]);
  await app.screenshot('device-1024');
});
