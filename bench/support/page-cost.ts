/**
 * What a page costs the browser's main thread while it shows live data, for
 * benches that compare builds side by side: a built server per variant (a
 * checkout — this one or a `git worktree` of another commit — with its own
 * apps/server/dist and a web build), and a measuring window on an open page
 * read from Chromium's own counters (CDP Performance.getMetrics: ScriptDuration,
 * TaskDuration, LayoutDuration, RecalcStyleDuration — main-thread time, ms per
 * second of wall clock), long tasks (PerformanceObserver 'longtask', ≥ 50 ms of
 * wall clock — on a loaded machine mostly time waiting for a core — and, from a
 * trace of the window, tasks that used ≥ 50 ms of the main thread's CPU) and
 * frame times (the gaps between requestAnimationFrame callbacks).
 * That frame clock is a rAF loop in the page, and a rAF loop asks the browser for a main-thread frame at every
 * vsync, which the app alone would not: VFIOSCOPE_BENCH_FRAME_LOOP=0 leaves it out (frame columns then empty), so
 * a run with it and one without tell the app's own cost from the measurement's.
 * A hidden tab is stood in for by an init script: document.visibilityState /
 * document.hidden answer 'hidden' and a visibilitychange is sent, so the
 * page's own code takes its hidden path (Chromium's throttling of real hidden
 * tabs is not applied: this measures what the app does, not what Chromium saves).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { launchChromium } from '../../e2e/support/chromium.ts';
import { freePort } from './built.ts';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

export const TOKEN = 'bench-page-cost-operator-token-0123';

export interface Variant {
  name: string;
  what: string;
  /** a checkout with apps/server/dist built */
  root: string;
  /** a web build to serve */
  web: string;
  port: number;
  server: ChildProcess | null;
}

export async function startVariant(v: Variant, scenario: string, tickHz = 10): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'vfioscope-page-cost-'));
  writeFileSync(join(data, 'tokens.txt'), `operator:${TOKEN}\n`, { mode: 0o600 });
  v.port = await freePort();
  const argv = [join(v.root, 'apps/server/dist/vfioscope.js'), 'serve', '--scenario', scenario, '--tick-hz', String(tickHz)];
  argv.push('--listen', `127.0.0.1:${v.port}`, '--web-dir', v.web, '--data-dir', data, '--token-file', join(data, 'tokens.txt'));
  v.server = spawn(process.execPath, argv, { cwd: v.root, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${v.port}/api/v1/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${v.name}: the server did not answer /health within 120 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function stopVariants(vs: Variant[]): void {
  for (const v of vs) v.server?.kill('SIGTERM');
}

/** installed before the app: long tasks and frame gaps from `arm()` on; `hidden` makes the page report itself hidden */
const INIT = (hidden: boolean) => `(() => {
  const rec = { long: [], frames: [], msgs: 0, from: Infinity };
  window.__cost = rec;
  // stream frames received: on a loaded machine the server may not hold 10 Hz, and a page's cost follows its data
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(...a) { super(...a); this.addEventListener('message', () => { if (performance.now() >= rec.from) rec.msgs++; }); }
  };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.startTime >= rec.from) rec.long.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  let last = 0;
  const frame = (ts) => { if (ts >= rec.from && last >= rec.from) rec.frames.push(ts - last); last = ts; requestAnimationFrame(frame); };
  if (${process.env.VFIOSCOPE_BENCH_FRAME_LOOP !== '0'}) requestAnimationFrame(frame);
  rec.arm = () => { rec.from = performance.now(); rec.long = []; rec.frames = []; rec.msgs = 0; };
  if (${hidden}) {
    Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { get: () => true });
    addEventListener('DOMContentLoaded', () => document.dispatchEvent(new Event('visibilitychange')));
  }
})();`;

export interface Cost {
  /** main-thread ms per second of wall clock */
  script: number;
  busy: number;
  layout: number;
  style: number;
  longTasks: number;
  longestTask: number;
  frameP50: number;
  frameP95: number;
  frames: number;
  /** stream messages received per second */
  msgs: number;
  /** the main thread's tasks by the wall clock, ms per second: on a loaded machine it includes waiting for a core */
  wallBusy: number;
  /** main-thread tasks in the trace */
  traced: number;
  /** main-thread tasks that used ≥ 50 ms of CPU (the trace's thread time), and the largest */
  cpuLongTasks: number;
  longestTaskCpu: number;
  /** the main thread's self time by trace event name, ms per second (selfTimeByName) */
  split: Map<string, number>;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Where the main thread's time goes: each trace event's self time (its CPU — the trace's thread time — less that of
 * the events nested in it), summed by name, ms per second. A task's own time (RunTask less what is nested in it) is
 * the scheduler's and what the categories do not name.
 */
export function selfTimeByName(events: readonly TraceEvent[], seconds: number): Map<string, number> {
  const spans = events.filter((e) => e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  const add = (name: string, ms: number) => self.set(name, (self.get(name) ?? 0) + ms);
  for (const e of spans) {
    const cpu = (e.tdur ?? e.dur ?? 0) / 1000;
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -cpu);
    add(e.name, cpu);
    stack.push({ end: e.ts + (e.dur ?? 0), name: e.name });
  }
  for (const [k, v] of self) self.set(k, v / seconds);
  return self;
}

export const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : Number.NaN;
};

export interface Target {
  name: string;
  hash: string;
  /** present once the view shows live data */
  ready: string;
  hidden?: boolean;
  /** what the operator does first (e.g. choose 64 charts), then waits for `ready` */
  prepare?: (page: Page) => Promise<void>;
}

/**
 * The window's trace: the main thread's tasks and the timeline's events in them (script, style, layout, paint,
 * layers, GC, ...) and the frames; VFIOSCOPE_BENCH_TRACE_CATEGORIES adds others (blink, cc) for a closer look —
 * each category costs the page some CPU of its own. VFIOSCOPE_BENCH_TRACE_OUT=PREFIX writes each trace to a file.
 */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  ...(process.env.VFIOSCOPE_BENCH_TRACE_CATEGORIES?.split(',') ?? []),
].join(',');

/** opens the target in a fresh context, lets it settle, then measures `windowMs` */
export async function measure(browser: Browser, v: Variant, t: Target, settleMs: number, windowMs: number): Promise<Cost> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(INIT(t.hidden ?? false));
    const cdp = await context.newCDPSession(page);
    // thread time: what the main thread ran, not how long it waited for a core on a loaded machine
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(`http://127.0.0.1:${v.port}/?token=${TOKEN}${t.hash}`);
    if (t.prepare) await t.prepare(page);
    await page.locator(t.ready).first().waitFor({ timeout: 120_000 });
    await page.waitForTimeout(settleMs);
    const read = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = (name: string) => (metrics.find((x) => x.name === name)?.value ?? Number.NaN) * 1000;
      return {
        at: performance.now(),
        script: m('ScriptDuration'),
        busy: m('TaskDuration'),
        layout: m('LayoutDuration'),
        style: m('RecalcStyleDuration'),
      };
    };
    // a trace of the window: the main thread's tasks by the CPU they used, which a loaded machine does not stretch
    // (these categories cost the page some CPU of their own; 'toplevel' alone carries no RunTask thread times here)
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
    await cdp.send('Tracing.start', { categories: TRACE_CATEGORIES, transferMode: 'ReportEvents' });
    await page.evaluate('window.__cost.arm()');
    const a = await read();
    await page.waitForTimeout(windowMs);
    const b = await read();
    const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await traced;
    const mains = new Set(
      events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}/${e.tid}`),
    );
    const onMain = events.filter((e) => mains.has(`${e.pid}/${e.tid}`));
    const tasks = onMain.filter((e) => e.name === 'RunTask' && e.ph === 'X');
    if (process.env.VFIOSCOPE_BENCH_TRACE_OUT)
      writeFileSync(`${process.env.VFIOSCOPE_BENCH_TRACE_OUT}-${v.name}-${Date.now()}.json`, JSON.stringify(events));
    const taskCpu = tasks.map((e) => (e.tdur ?? 0) / 1000);
    const taskWall = tasks.map((e) => (e.dur ?? 0) / 1000);
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    const rec = (await page.evaluate('({ long: window.__cost.long, frames: window.__cost.frames, msgs: window.__cost.msgs })')) as {
      long: number[];
      frames: number[];
      msgs: number;
    };
    const s = (b.at - a.at) / 1000;
    return {
      script: (b.script - a.script) / s,
      busy: (b.busy - a.busy) / s,
      layout: (b.layout - a.layout) / s,
      style: (b.style - a.style) / s,
      longTasks: rec.long.length,
      longestTask: rec.long.length ? Math.max(...rec.long) : 0,
      frameP50: pct(rec.frames, 50),
      frameP95: pct(rec.frames, 95),
      frames: rec.frames.length,
      msgs: rec.msgs / s,
      wallBusy: sum(taskWall) / s,
      traced: tasks.length,
      cpuLongTasks: taskCpu.filter((d) => d >= 50).length,
      longestTaskCpu: taskCpu.length ? Math.max(...taskCpu) : 0,
      split: selfTimeByName(onMain, s),
    };
  } finally {
    await context.close();
  }
}
