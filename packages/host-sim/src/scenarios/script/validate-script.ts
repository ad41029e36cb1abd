/**
 * Checks a scenario's script when the scenario loads, with problems that
 * name the field (`script.steps[2].do.vector: …`): times are "mm:ss" inside
 * the loop, devices and VMs exist when the step runs (a VM a step starts
 * counts from then on, one it stops no longer does), values are in range.
 * What only the running host can decide (a group the operator holds by
 * then) is left to the runner, which narrates the kernel's answer.
 */
import type { ScenarioDevice, ScenarioProcess } from '../scenario-types.ts';
import { scriptTimeMs } from './script-time.ts';
import type { ScriptActionKind } from './script-types.ts';

type Obj = Record<string, unknown>;

const KINDS: ScriptActionKind[] = ['note', 'storm', 'vm-dma-map', 'vm-reset', 'dma-fault', 'vm-start', 'vm-stop'];
const INDEXES = ['INTX', 'MSI', 'MSIX'];
/** drivers/iommu/intel/dmar.c dmar_fault(): DEFAULT_RATELIMIT_BURST fault lines per interval are printed */
export const DMAR_FAULT_BURST = 10;
const PAGE = 4096;

export interface ScriptContext {
  devices: readonly ScenarioDevice[];
  processes: readonly ScenarioProcess[];
  /** the scenario's own process check, for a VM a step starts: its problems, named from `path` */
  processProblems: (v: unknown, path: string) => string[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min;

/** Problems with `value` as a script of a scenario with these devices and processes; empty when valid. */
export function scriptProblems(value: unknown, ctx: ScriptContext): string[] {
  const problems: string[] = [];
  const p = 'script';
  if (!isObj(value)) return [`${p}: required object with loop and steps`];
  const loopMs = scriptTimeMs(value.loop);
  if (loopMs === null || loopMs === 0) problems.push(`${p}.loop: required "mm:ss" after 00:00, got ${JSON.stringify(value.loop)}`);
  if (!Array.isArray(value.steps)) return [...problems, `${p}.steps: required array`];
  const devices = new Map(ctx.devices.map((d) => [d.bdf, d]));
  const running = new Set(ctx.processes.map((q) => q.pid));
  // in the order they run (the runner sorts by time, keeping the file's order for equal times)
  const order = value.steps
    .map((s, i) => ({ s, i, at: isObj(s) ? scriptTimeMs(s.at) : null }))
    .sort((a, b) => (a.at ?? 0) - (b.at ?? 0) || a.i - b.i);
  for (const { s, i, at } of order) {
    const sp = `${p}.steps[${i}]`;
    if (!isObj(s)) {
      problems.push(`${sp}: required object with at and do`);
      continue;
    }
    if (at === null) problems.push(`${sp}.at: required "mm:ss", got ${JSON.stringify(s.at)}`);
    else if (loopMs !== null && at >= loopMs) problems.push(`${sp}.at: ${s.at} is not before the loop's end ${value.loop}`);
    if (s.say !== undefined && (typeof s.say !== 'string' || s.say.trim() === '')) problems.push(`${sp}.say: expected a non-empty string`);
    const a = s.do;
    const ap = `${sp}.do`;
    if (!isObj(a)) {
      problems.push(`${ap}: required object with a kind`);
      continue;
    }
    const device = (): ScenarioDevice | undefined => {
      const d = typeof a.device === 'string' ? devices.get(a.device) : undefined;
      if (!d) problems.push(`${ap}.device: no device ${JSON.stringify(a.device)} in the scenario`);
      return d;
    };
    const vm = (): void => {
      if (!isInt(a.pid, 1)) problems.push(`${ap}.pid: required process id`);
      else if (!running.has(a.pid)) problems.push(`${ap}.pid: no VM with pid ${a.pid} is running at ${String(s.at)}`);
    };
    switch (a.kind) {
      case 'note':
        if (s.say === undefined) problems.push(`${sp}.say: a note says something`);
        break;
      case 'storm': {
        const d = device();
        const index = a.index ?? 'MSIX';
        if (!INDEXES.includes(index as string)) problems.push(`${ap}.index: expected INTX, MSI or MSIX`);
        const count = index === 'MSIX' ? d?.msixVectors : index === 'MSI' ? d?.msiVectors : 1;
        if (!isInt(a.vector, 0)) problems.push(`${ap}.vector: required vector number`);
        else if (count !== undefined && a.vector >= count)
          problems.push(`${ap}.vector: ${a.device} has ${count} ${String(index)} vectors, no vector ${a.vector}`);
        if (typeof a.rate !== 'number' || !Number.isFinite(a.rate) || a.rate <= 0) problems.push(`${ap}.rate: required interrupts/s > 0`);
        const length = scriptTimeMs(a.for);
        if (length === null || length === 0) problems.push(`${ap}.for: required "mm:ss" longer than 00:00, got ${JSON.stringify(a.for)}`);
        else if (at !== null && loopMs !== null && at + length > loopMs)
          problems.push(`${ap}.for: the storm must end by the loop's end ${value.loop} (${String(s.at)} + ${a.for})`);
        break;
      }
      case 'vm-dma-map':
        vm();
        if (!isInt(a.bytes, 1) || a.bytes % PAGE !== 0) problems.push(`${ap}.bytes: required a positive multiple of ${PAGE}`);
        break;
      case 'vm-reset': {
        const d = device();
        if (d && d.reset !== true) problems.push(`${ap}.device: ${d.bdf} offers no reset (reset: true in the scenario)`);
        break;
      }
      case 'dma-fault':
        device();
        if (!isInt(a.iova, 0)) problems.push(`${ap}.iova: required non-negative integer`);
        if (!isInt(a.count, 1) || a.count > DMAR_FAULT_BURST)
          problems.push(`${ap}.count: required 1–${DMAR_FAULT_BURST} (the kernel prints no more fault lines in a burst)`);
        break;
      case 'vm-start': {
        const found = ctx.processProblems(a.process, `${ap}.process`);
        problems.push(...found);
        const proc = a.process as ScenarioProcess;
        if (found.length === 0) {
          if (running.has(proc.pid)) problems.push(`${ap}.process.pid: pid ${proc.pid} is already running at ${String(s.at)}`);
          const groups = new Set(ctx.devices.map((d) => d.group));
          proc.groups.forEach((g, j) => {
            if (!groups.has(g)) problems.push(`${ap}.process.groups[${j}]: no device is in group ${g}`);
          });
          running.add(proc.pid);
        }
        break;
      }
      case 'vm-stop':
        vm();
        if (isInt(a.pid, 1)) running.delete(a.pid);
        break;
      default:
        problems.push(`${ap}.kind: expected one of ${KINDS.join(', ')}, got ${JSON.stringify(a.kind)}`);
    }
  }
  return problems;
}
