/**
 * The time from a storm on a peer to the Fleet page showing it: a fleet
 * server ("hub", edu scenario) in front of one "demo"-scenario peer (its
 * win11-cad GPU storms 20 s after the peer starts), the hub's built web UI
 * open on #/fleet in Chromium (Debian's, as the e2e tests launch it). Both
 * servers are the built CLI on loopback (e2e/support/fleet.ts).
 *
 * Per sample the demo peer is started again (a fresh 20 s fuse), and once
 * the hub and the page both show it up and storm-free:
 *   - storm → DOM: a MutationObserver in the page notes Date.now() when the
 *     peer's row (data-testid fleet-host-demo) first has data-storms ≥ 1;
 *     "→ frame" is the next animation frame after that (about when it is
 *     painted);
 *   - storm → hub: GET /api/v1/hosts on the hub, polled every 20 ms in the
 *     same run, first counting the storm (what bench/fleet.bench.ts measures);
 * both from the peer's own alert raisedAt (GET /alerts on the peer). One
 * machine, so one wall clock: page, bench and peer all read Date.now().
 *
 * Not a test: prints figures for bench/baselines/fleet.txt.
 * Run: pnpm exec tsx bench/fleet-page.bench.ts [--samples 3]
 * The web build is apps/web/dist (built when missing) or VFIOSCOPE_E2E_WEB_DIR's, as the e2e tests serve it.
 */
import { cpus, loadavg } from 'node:os';
import { launchChromium } from '../e2e/support/chromium.ts';
import { Fleet } from '../e2e/support/fleet.ts';
import { WEB_DIR } from '../e2e/support/own-server.ts';
import { ensureServerBuilt, ensureWebBuilt } from './support/built.ts';

const args = process.argv.slice(2);
const samplesAt = args.indexOf('--samples');
const SAMPLES = samplesAt >= 0 ? Number(args[samplesAt + 1]) : 3;
const PEER = 'demo';
const ROW = `[data-testid="fleet-host-${PEER}"]`;
/** the hub's GET /hosts poll, as bench/fleet.bench.ts polls it */
const POLL_MS = 20;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const stats = (xs: readonly number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return { p50: s[Math.floor((s.length - 1) / 2)] ?? NaN, max: s.at(-1) ?? NaN };
};

/** armed in the page once the row shows the peer up and storm-free: the first data-storms ≥ 1, by the page's Date.now() */
const ARM = `(() => {
  const w = window;
  w.__storm = { seen: null, frame: null, armedWith: null };
  const check = () => {
    const el = document.querySelector(${JSON.stringify(ROW)});
    if (!el || w.__storm.seen !== null) return;
    if (Number(el.getAttribute('data-storms')) >= 1) {
      w.__storm.seen = Date.now();
      requestAnimationFrame(() => { w.__storm.frame = Date.now(); });
    }
  };
  w.__stormObserver?.disconnect();
  w.__stormObserver = new MutationObserver(check);
  w.__stormObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-storms'] });
  const el = document.querySelector(${JSON.stringify(ROW)});
  w.__storm.armedWith = el ? el.getAttribute('data-state') + '/' + el.getAttribute('data-storms') : 'no row';
  return w.__storm.armedWith;
})()`;

async function main(): Promise<void> {
  ensureServerBuilt();
  ensureWebBuilt(WEB_DIR);
  console.log(`# fleet page bench: a hub (edu) + 1 "demo" peer, Chromium on #/fleet, ${SAMPLES} storms`);
  console.log(
    `# ${cpus().length} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );

  const fleet = await Fleet.start({ peers: [{ name: PEER, scenario: 'demo' }], webDir: WEB_DIR });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(fleet.loginUrl('#/fleet'));
    await page.locator(ROW).waitFor({ timeout: 60_000 });

    const dom: number[] = [];
    const frame: number[] = [];
    const hub: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      // a fresh fuse: the peer again, 20 s to its storm
      const t0 = Date.now();
      await fleet.stopPeer(PEER);
      await until('the peer down on the hub', async () =>
        (await fleet.hosts()).find((h) => h.name === PEER)?.state === 'down' ? true : undefined,
      );
      await fleet.startPeer(PEER);
      const startedAt = Date.now();
      await until('the restarted peer up and storm-free on the hub', async () => {
        const h = (await fleet.hosts()).find((x) => x.name === PEER);
        return h?.state === 'up' && h.figures?.alerts.storms === 0 ? true : undefined;
      });
      await page.locator(`${ROW}[data-state="up"][data-storms="0"]`).waitFor({ timeout: 60_000 });
      const armedWith = await page.evaluate(ARM);
      const armedAfter = Date.now() - startedAt;
      console.log(`# sample ${s + 1}: peer restarted in ${startedAt - t0} ms, page armed ${armedAfter} ms after (row ${armedWith})`);

      const hubSeen = until(
        'the storm on the hub',
        async () => {
          const h = (await fleet.hosts()).find((x) => x.name === PEER);
          return h?.state === 'up' && (h.figures?.alerts.storms ?? 0) > 0 ? Date.now() : undefined;
        },
        120_000,
        POLL_MS,
      );
      hubSeen.catch(() => undefined); // awaited below; a page that never shows the storm must not leave it unhandled
      const seen = await until('the storm on the Fleet page', async () => {
        const w = (await page.evaluate('window.__storm')) as { seen: number | null; frame: number | null };
        return w.seen !== null && w.frame !== null ? { seen: w.seen, frame: w.frame } : undefined;
      });
      const hubAt = await hubSeen;
      const raisedAt = await fleet.stormRaisedAt(PEER);
      if (raisedAt === null) throw new Error('the page showed a storm the peer does not have');
      dom.push(seen.seen - raisedAt);
      frame.push(seen.frame - raisedAt);
      hub.push(hubAt - raisedAt);
      console.log(
        `storm ${s + 1}: raised on the peer ${raisedAt - startedAt} ms after it answered /health; ` +
          `hub ${hubAt - raisedAt} ms, DOM ${seen.seen - raisedAt} ms, frame ${seen.frame - raisedAt} ms later`,
      );
    }
    const [d, f, h] = [stats(dom), stats(frame), stats(hub)];
    console.log(`storm → hub (GET /hosts, ${POLL_MS} ms poll):  p50 ${h.p50} ms, max ${h.max} ms`);
    console.log(`storm → Fleet page DOM (data-storms ≥ 1): p50 ${d.p50} ms, max ${d.max} ms`);
    console.log(`storm → next frame after it:              p50 ${f.p50} ms, max ${f.max} ms`);
    console.log(
      `# load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end`,
    );
  } finally {
    await browser.close();
    await fleet.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
