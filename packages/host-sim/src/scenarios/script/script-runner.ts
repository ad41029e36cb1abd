/**
 * Runs a scenario's script on the sim kernel's clock. The kernel calls
 * advance(now) before anything observes the host (kernel/sim-kernel.ts), so
 * the steps due by then run in order, each at its own time — however far
 * the clock jumped — and a test that advances a ManualClock sees exactly
 * the steps due. Storms raise, per advance, the whole interrupts their rate
 * makes since the last (load-profile.ts: the same integral the device load
 * uses), so their counts do not depend on how often the host is read.
 *
 * Each step's narration (`say`) goes to the kernel log as a line user space
 * wrote to /dev/kmsg, "<scenario>: <say>", with the host's answer when it
 * refused ("… — VFIO_IOMMU_MAP_DMA: ENOMEM"): what a demo's driver on a
 * real host would do, so the dashboard's event log shows the story beside
 * the kernel's own lines.
 *
 * At the loop's end the steps' changes are undone, newest first, and the
 * script starts again: every pass starts from the host as it was at 00:00.
 *
 * 00:00 is the first time the host is looked at (the first advance), not
 * when it was made: a server that takes seconds to start, and skips the
 * kernel log's history when it begins to follow it, still sees every beat
 * of the first pass.
 */
import type { SimKernel } from '../../kernel/sim-kernel.ts';
import { interruptsBetween } from '../load-profile.ts';
import type { LoadProfile } from '../scenario-types.ts';
import { type ActiveStorm, ScriptActions } from './script-actions.ts';
import { scriptTimeMs } from './script-time.ts';
import type { ScenarioScript, ScriptStep } from './script-types.ts';

interface TimedStep {
  atMs: number;
  step: ScriptStep;
}

/** What one step did, for tests and logs: which pass, when, and the host's answer. */
export interface StepRecord {
  pass: number;
  atMs: number;
  step: ScriptStep;
  outcome: string | undefined;
}

export class ScriptRunner {
  private readonly steps: TimedStep[];
  readonly loopMs: number;
  private readonly actions: ScriptActions;
  /** 00:00 of the first pass on the clock: the first advance (null until then) */
  private originMs: number | null = null;
  /** passes completed */
  private passes = 0;
  /** the next step of this pass */
  private next = 0;
  private storms: { storm: ActiveStorm; doneMs: number }[] = [];
  private undo: (() => void)[] = [];
  /** steps run, oldest first (the last 1000) */
  readonly history: StepRecord[] = [];

  constructor(
    private readonly k: SimKernel,
    script: ScenarioScript,
    private readonly name: string,
  ) {
    this.loopMs = scriptTimeMs(script.loop) ?? 0;
    if (!(this.loopMs > 0)) throw new RangeError(`scenario ${name}: script.loop ${script.loop} is not "mm:ss" after 00:00`);
    this.steps = script.steps
      .map((step, i) => ({ step, i, atMs: scriptTimeMs(step.at) ?? 0 }))
      .sort((a, b) => a.atMs - b.atMs || a.i - b.i)
      .map(({ step, atMs }) => ({ step, atMs }));
    this.actions = new ScriptActions(k);
  }

  /** the pass being played (0 = the first) */
  get pass(): number {
    return this.passes;
  }

  /** Run everything due up to `nowMs`: storms' interrupts, steps, loop ends, in time order. */
  advance(nowMs: number): void {
    this.originMs ??= nowMs;
    for (;;) {
      const passStart = this.originMs + this.passes * this.loopMs;
      const due = this.steps[this.next];
      const stepAt = due ? passStart + due.atMs : Number.POSITIVE_INFINITY;
      const loopEnd = passStart + this.loopMs;
      const at = Math.min(stepAt, loopEnd);
      if (at > nowMs) break;
      this.raiseStorms(at);
      if (due && stepAt < loopEnd) {
        this.run(due, stepAt);
        this.next++;
      } else {
        this.restart();
      }
    }
    this.raiseStorms(nowMs);
  }

  private run({ step, atMs }: TimedStep, clockMs: number): void {
    const r = this.actions.run(step.do, clockMs);
    if (r.storm) this.storms.push({ storm: r.storm, doneMs: clockMs });
    if (r.undo) this.undo.push(r.undo);
    if (step.say !== undefined) this.k.kernelLog.devkmsgWrite(`${this.name}: ${step.say}${r.outcome ? ` — ${r.outcome}` : ''}`);
    this.history.push({ pass: this.passes, atMs, step, outcome: r.outcome });
    if (this.history.length > 1000) this.history.shift();
  }

  /** the loop's end: storms over, every change undone newest first, then 00:00 again */
  private restart(): void {
    this.storms = [];
    for (const undo of this.undo.reverse()) undo();
    this.undo = [];
    this.passes++;
    this.next = 0;
  }

  private raiseStorms(toMs: number): void {
    for (const s of this.storms) {
      const { storm } = s;
      const until = Math.min(toMs, storm.endMs);
      if (until <= s.doneMs) continue;
      const profile: LoadProfile = { kind: 'steady', rate: storm.rate };
      const n = interruptsBetween(profile, s.doneMs - storm.startMs, until - storm.startMs);
      s.doneMs = until;
      if (n > 0) this.k.functions.get(storm.bdf)?.bus.raiseIrq(storm.index, storm.vector, n);
    }
    this.storms = this.storms.filter((s) => s.doneMs < s.storm.endMs);
  }
}
