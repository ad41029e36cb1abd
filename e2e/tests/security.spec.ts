/**
 * The browser's side of the server's hardening: the built UI runs under the
 * strict Content-Security-Policy without a single violation on any view, no
 * source map is served, and a page on another port of the same machine
 * (same-site, so the browser sends the operator's SameSite=Strict cookie)
 * cannot release a group with a fetch or a form.
 */
import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DEFAULT_URL, DEVICES } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

test('every view runs under the strict CSP with no violation, and no source map is served', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  // a string: this file is typechecked without the DOM lib
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('Refused to (CSP) ' + e.violatedDirective + ' ' + e.blockedURI))",
  );
  const app = new AppPage(page);
  const doc = await page.goto('/?token=e2e-viewer-token-0001#/topology');
  expect(doc?.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(doc?.headers()['content-security-policy']).not.toContain('unsafe-inline');
  await expect(app.connection).toHaveAttribute('data-state', 'open');
  for (const hash of ['#/topology', `#/device/${DEVICES.vmNvme}`, '#/dma', '#/interrupts', '#/events']) {
    await app.go(hash);
    await expect(page.locator('.page')).toBeVisible();
    // a few live frames, so charts and tables have drawn under the policy
    await page.evaluate(
      'new Promise((r) => { let n = 0; const f = () => (++n < 10 ? requestAnimationFrame(f) : r()); requestAnimationFrame(f); })',
    );
  }
  expect(violations).toEqual([]);

  const scripts = (await page.locator('script[src]').evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''))).map(
    (src) => new URL(src, DEFAULT_URL).href,
  );
  expect(scripts.length).toBeGreaterThan(0);
  for (const src of scripts) {
    const res = await page.request.get(`${src}.map`);
    expect(res.status(), `${src}.map`).toBe(404);
    expect(await (await page.request.get(src)).text()).not.toContain('sourceMappingURL');
  }
});

test('a page on another port cannot act with the operator cookie (fetch or form)', async ({ page }) => {
  const api = new OperatorApi(DEFAULT_URL);
  const group = await api.freeVfioGroup();
  await api.openGroup(group);
  let other: Server | null = null;
  try {
    // the operator is signed in: the browser holds the HttpOnly login cookie
    const app = new AppPage(page);
    await app.login();
    const target = `${DEFAULT_URL}/api/v1/groups/${group}/close`;
    other = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><body>
        <form id="f" method="POST" action="${target}"></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', mode: 'no-cors' })
            .finally(() => { document.title = 'fetched'; });
        </script></body>`);
    });
    await new Promise<void>((r) => other!.listen(0, '127.0.0.1', () => r()));
    const port = (other.address() as { port: number }).port;
    // the server's own count of refused cross-origin attempts (a no-cors answer is opaque to the page and to us)
    const refused = async () =>
      Number(/vfioscope_http_refused_total\{status="403",code="EFORBIDDEN"\} (\d+)/.exec(await api.metrics())?.[1] ?? 0);
    const before = await refused();
    await page.goto(`http://127.0.0.1:${port}/`); // its script fetches at once
    await expect(page).toHaveTitle('fetched');
    await expect.poll(refused).toBe(before + 1);
    // and a plain form post, the oldest trick: the browser shows the server's answer
    const posted = page.waitForResponse(target);
    await page.evaluate("document.getElementById('f').submit()");
    expect((await posted).status()).toBe(403);
    await expect.poll(refused).toBe(before + 2);
    const topo = await api.topology();
    expect(topo.groups.find((g) => g.id === group)?.container).not.toBeNull(); // still held: nothing was released
  } finally {
    other?.close();
    await api.closeGroup(group);
  }
});
