/**
 * What the browser downloads before the first data is on screen, and how
 * long that takes: the built CLI (apps/server/dist) serving the sim's
 * "default" scenario on 127.0.0.1, Chromium (Debian's, as the e2e tests
 * launch it) opening the dashboard with a cold cache (a fresh browser
 * context per sample, the token already in its cookie) at
 *   topology     /                         the default first view: the first group card
 *   device link  /#/device/0000:65:00.0    the edu device: held / not held, from its first device snapshot
 * Time: from navigation start (the page's performance.timeOrigin) to the
 * animation frame that paints that element (a MutationObserver installed
 * before the page's own script notes it, a requestAnimationFrame stamps it).
 * Bytes: what came over HTTP by then (Resource Timing transferSize: headers
 * and bodies as sent, compressed or not; the WebSocket's frames are not
 * counted), and the JavaScript among it unpacked (decodedBodySize). CPU:
 * the page's main thread and its whole renderer process (Chromium's
 * ThreadTime and ProcessTime, read just after first data) — time spent on a
 * core, which the machine's load does not stretch the way it stretches the
 * wall-clock figure.
 *
 * Four variants, the same source, taking turns sample by sample so that the
 * shared machine's load hits them alike:
 *   before      one JavaScript file (the build with code splitting off), served with --no-compress
 *   compressed  one JavaScript file, compressed (brotli, the build's copies)
 *   split       the split build (lazy views, recharts apart), --no-compress
 *   after       the split build, compressed: what `vfioscope serve` does now
 * Each variant has its own server (all four stay up; each idles at 10 Hz).
 * Last, the CPU the server would spend per cold first view compressing on
 * the fly, beside what the build spends once (why the copies are made there).
 * Builds the two web bundles into a temp dir (vite's JS API, from apps/web)
 * and the CLI when stale. Prints a table; not a test.
 * Run: pnpm exec tsx bench/first-view.bench.ts [samples=7] [--link MBIT:RTT_MS] [--base-web DIR]
 *   --link emulates a slower link in Chromium (e.g. 50:10 = 50 Mbit/s, 10 ms round trip) instead of loopback
 *   --only after[,split…] runs only those variants (fewer idle servers at 10 Hz beside the one measured: on a
 *   quiet machine, the figure closest to an operator's own)
 *   --base-web DIR adds a fifth variant, `base`: another commit's web build (e.g. `vite build --outDir DIR` in a
 *   worktree of it), served compressed like `after` — the change between the two, measured in the same run
 * Baseline: bench/baselines/first-view.txt
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { TOKEN_COOKIE } from '../packages/protocol/src/index.ts';
import { launchChromium } from '../e2e/support/chromium.ts';
import { freePort } from './support/built.ts';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const TOKEN = 'bench-first-view-viewer-token';
const args = process.argv.slice(2);
const linkAt = args.indexOf('--link');
const link = linkAt >= 0 ? args.splice(linkAt, 2)[1] : undefined;
const baseAt = args.indexOf('--base-web');
const baseWeb = baseAt >= 0 ? args.splice(baseAt, 2)[1] : undefined;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1]!.split(',') : undefined;
const SAMPLES = Number(args[0] ?? 7);

interface Target {
  name: string;
  hash: string;
  /** the element whose painting is "first data on screen" */
  selector: string;
}
const TARGETS: Target[] = [
  { name: 'topology', hash: '', selector: '[data-testid^="group-"]' },
  { name: 'device link', hash: '#/device/0000:65:00.0', selector: '[data-testid="device-held"], [data-testid="device-not-held"]' },
];

interface Variant {
  name: string;
  what: string;
  web: string;
  compress: boolean;
  port: number;
  server?: ChildProcess;
  samples: Map<string, Sample[]>;
}
interface Sample {
  ms: number;
  /** CPU time of the page's main thread, and of its whole renderer process, by first data (a little after: read once it is seen) */
  mainCpuMs: number;
  rendererCpuMs: number;
  wireBytes: number;
  jsBytes: number;
  /** first data, counted from the end of GET /whoami's answer: what the page still does after it knows who is signed in */
  afterWhoamiMs: number;
  /** where the time goes, ms from navigation start: the page's HTML in, the last script in, /whoami asked and answered */
  stages: { html: number; scripts: number; whoamiAsked: number; whoamiAnswered: number };
  jsFiles: string[];
}

const work = mkdtempSync(join(tmpdir(), 'vfioscope-first-view-'));

/** The web UI built from today's source into DIR, as one JavaScript file or split. */
function buildWeb(dir: string, split: boolean): void {
  const script = `import { build } from 'vite';
await build({ logLevel: 'warn', build: { outDir: ${JSON.stringify(dir)}, emptyOutDir: true${split ? '' : ', chunkSizeWarningLimit: 2048, rolldownOptions: { output: { codeSplitting: false } }'} } });`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(ROOT, 'apps/web'), stdio: 'inherit' });
}

async function startServer(v: Variant): Promise<void> {
  const dataDir = mkdtempSync(join(work, `data-${v.name}-`));
  const tokens = join(work, 'tokens.txt');
  const argv = ['apps/server/dist/vfioscope.js', 'serve', '--listen', `127.0.0.1:${v.port}`, '--web-dir', v.web];
  argv.push('--data-dir', dataDir, '--token-file', tokens, ...(v.compress ? [] : ['--no-compress']));
  v.server = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${v.port}/api/v1/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${v.name}: the server did not answer /health within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs before the page's own script: stamps the frame that paints the first match of `selector`. */
const watchFirstData = (selector: string) => `{
  const seen = () => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el || el.getBoundingClientRect().height === 0) return false;
    requestAnimationFrame(() => { window.__firstData ??= performance.now(); });
    return true;
  };
  const obs = new MutationObserver(() => { if (seen()) obs.disconnect(); });
  obs.observe(document, { childList: true, subtree: true, attributes: true });
}`;

/** In the page, once first data is on screen: the time, and what came over HTTP by then. */
const MEASURE = `(() => {
  const at = window.__firstData;
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  const by = entries.filter((e) => e.startTime <= at);
  const js = by.filter((e) => /\\.js(\\?|$)/.test(e.name));
  const whoami = entries.find((e) => e.name.includes('/api/v1/whoami'));
  return {
    ms: at,
    afterWhoamiMs: whoami ? at - whoami.responseEnd : NaN,
    stages: {
      html: by[0] ? by[0].responseEnd : NaN,
      scripts: Math.max(...js.map((e) => e.responseEnd)),
      whoamiAsked: whoami ? whoami.startTime : NaN,
      whoamiAnswered: whoami ? whoami.responseEnd : NaN,
    },
    wireBytes: by.reduce((s, e) => s + e.transferSize, 0),
    jsBytes: js.reduce((s, e) => s + e.decodedBodySize, 0),
    jsFiles: js.map((e) => e.name.replace(/^.*\\/assets\\//, '')),
  };
})()`;

async function sampleOnce(browser: Browser, v: Variant, t: Target): Promise<Sample> {
  const base = `http://127.0.0.1:${v.port}/`;
  const context = await browser.newContext();
  try {
    await context.addCookies([{ name: TOKEN_COOKIE, value: TOKEN, url: base }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    // CPU the page's main thread and its renderer process used: time on a core, not time waiting for one
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    if (link) {
      const [mbit, rtt] = link.split(':').map(Number) as [number, number];
      const bps = (mbit * 1e6) / 8;
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: rtt, downloadThroughput: bps, uploadThroughput: bps });
    }
    await page.addInitScript(watchFirstData(t.selector));
    await page.goto(base + t.hash, { waitUntil: 'commit' });
    // a function, not a string: the page's CSP (no 'unsafe-eval') refuses a string predicate
    await page.waitForFunction(() => (globalThis as { __firstData?: number }).__firstData !== undefined, null, {
      timeout: 60_000,
      polling: 50,
    });
    const sample = (await page.evaluate(MEASURE)) as Omit<Sample, 'mainCpuMs' | 'rendererCpuMs'>;
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000;
    return { ...sample, mainCpuMs: metric('ThreadTime'), rendererCpuMs: metric('ProcessTime') };
  } finally {
    await context.close();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

// --- run

const split = join(work, 'web-split');
const single = join(work, 'web-single');
console.error('first-view: building the web UI twice (split, one file) and the CLI when stale …');
buildWeb(split, true);
buildWeb(single, false);
try {
  execFileSync(process.execPath, ['apps/server/build.mjs', '--check'], { cwd: ROOT });
} catch {
  execFileSync(process.execPath, ['apps/server/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
writeFileSync(join(work, 'tokens.txt'), `viewer:${TOKEN}\n`);

const variants: Variant[] = [
  { name: 'before', what: 'one JS file, --no-compress', web: single, compress: false },
  { name: 'compressed', what: 'one JS file, compressed', web: single, compress: true },
  { name: 'split', what: 'split, --no-compress', web: split, compress: false },
  { name: 'after', what: 'split, compressed (serve now)', web: split, compress: true },
  // another commit's build (--base-web), served as `after` is: the same run measures what changed since
  ...(baseWeb ? [{ name: 'base', what: 'split, compressed, --base-web', web: resolve(baseWeb), compress: true }] : []),
]
  .filter((v) => !only || only.includes(v.name))
  .map((v) => ({ ...v, port: 0, samples: new Map<string, Sample[]>() }));
for (const v of variants) v.port = await freePort();
await Promise.all(variants.map(startServer));
const browser = await launchChromium();
try {
  // one warm-up load each (the server's first topology read, Chromium's first process), not counted
  for (const v of variants) for (const t of TARGETS) await sampleOnce(browser, v, t);
  for (let i = 0; i < SAMPLES; i++) {
    for (const t of TARGETS) {
      for (const v of variants) {
        const s = await sampleOnce(browser, v, t);
        const list = v.samples.get(t.name) ?? [];
        list.push(s);
        v.samples.set(t.name, list);
      }
    }
  }
} finally {
  await browser.close();
  for (const v of variants) v.server?.kill('SIGTERM');
}

const sizes = (dir: string) => {
  const files = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  const sum = (ext: string) =>
    files.reduce((s, f) => {
      try {
        return s + readFileSync(join(dir, 'assets', f + ext)).length;
      } catch {
        return s;
      }
    }, 0);
  return `${files.length} JS files, ${kb(sum(''))} (brotli ${kb(sum('.br'))}, gzip ${kb(sum('.gz'))})`;
};
const head = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return '?';
  }
})();
console.log(
  `# first view: ${SAMPLES} cold-cache loads per variant and target, ${link ? `link emulated at ${link} (Mbit/s:RTT ms)` : 'loopback'}`,
);
console.log(
  `# ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, sources at ${head} (+ work tree)`,
);
console.log(`# web, one file: ${sizes(single)}`);
console.log(`# web, split:    ${sizes(split)}`);
for (const t of TARGETS) {
  console.log(`\n## ${t.name} (${t.hash || '/'}): first data on screen`);
  console.log(
    'variant      what                            p50-ms   max-ms  after-whoami   over HTTP   JS unpacked   main-CPU  renderer-CPU  all (ms)',
  );
  for (const v of variants) {
    const s = v.samples.get(t.name) ?? [];
    const ms = s.map((x) => x.ms);
    const p50 = (f: (x: Sample) => number) => pct(s.map(f), 50);
    const cols = [
      v.name.padEnd(12),
      v.what.padEnd(31),
      p50((x) => x.ms)
        .toFixed(0)
        .padStart(7),
      Math.max(...ms)
        .toFixed(0)
        .padStart(8),
      p50((x) => x.afterWhoamiMs)
        .toFixed(0)
        .padStart(13),
      kb(p50((x) => x.wireBytes)).padStart(11),
      kb(p50((x) => x.jsBytes)).padStart(12),
      `${p50((x) => x.mainCpuMs).toFixed(0)} ms`.padStart(10),
      `${p50((x) => x.rendererCpuMs).toFixed(0)} ms`.padStart(13),
      ` ${ms.map((x) => x.toFixed(0)).join(' ')}`,
    ];
    console.log(cols.join(' '));
  }
  const afterSamples = variants.find((v) => v.name === 'after')?.samples.get(t.name) ?? [];
  const after = afterSamples[0];
  if (after) {
    console.log(`   scripts fetched by then (after): ${after.jsFiles.join(', ')}`);
    const at = (f: (x: Sample) => number) => pct(afterSamples.map(f), 50).toFixed(0);
    console.log(
      `   where the time goes (after, p50 ms from navigation start): HTML in ${at((x) => x.stages.html)}, ` +
        `last script in ${at((x) => x.stages.scripts)}, /whoami asked ${at((x) => x.stages.whoamiAsked)}, ` +
        `answered ${at((x) => x.stages.whoamiAnswered)}, first data painted ${at((x) => x.ms)}`,
    );
  }
}

// what compressing on the fly would cost the server per cold load (the choice: the build's copies, none)
const firstViewFiles = (dir: string) =>
  [...readFileSync(join(dir, 'index.html'), 'utf8').matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) =>
    readFileSync(join(dir, m[1]!)),
  );
const cpuMs = (files: Buffer[], fn: (b: Buffer) => Buffer, runs = 5) => {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    for (const f of files) fn(f);
    ms.push(performance.now() - t);
  }
  return pct(ms, 50);
};
const q = (quality: number) => (b: Buffer) =>
  brotliCompressSync(b, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: quality, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: b.length } });
console.log('\n## CPU to compress the files of one cold first view, were the server to do it per request (median of 5, ms)');
console.log('build        files   KiB    brotli-q4  gzip-6   brotli-q11 (what the build spends once)');
for (const [name, dir] of [
  ['one file', single],
  ['split', split],
] as const) {
  const files = firstViewFiles(dir);
  const size = files.reduce((s, f) => s + f.length, 0);
  console.log(
    `${name.padEnd(12)} ${String(files.length).padStart(5)} ${(size / 1024).toFixed(0).padStart(5)} ${cpuMs(files, q(4)).toFixed(0).padStart(10)} ${cpuMs(
      files,
      (b) => gzipSync(b),
    )
      .toFixed(0)
      .padStart(8)} ${cpuMs(files, q(11), 1).toFixed(0).padStart(12)}`,
  );
}
rmSync(work, { recursive: true, force: true });
