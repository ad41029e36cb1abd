/**
 * A script is checked when its scenario loads: every bad entry is named by
 * its field, and steps are judged against the host as it will be when they
 * run (a VM a step starts exists from then on, one it stops no longer does).
 */
import { describe, expect, it } from 'vitest';
import { builtinScenarios } from '../index.ts';
import type { Scenario } from '../scenario-types.ts';
import { ScenarioError, validateScenario } from '../validate.ts';
import type { ScriptStep } from './script-types.ts';

const GPU = '0000:17:00.0';

/** the demo host with these steps in a 01:00 loop */
function withSteps(steps: unknown[], loop: unknown = '01:00'): Scenario {
  const s = structuredClone(builtinScenarios.demo) as unknown as Record<string, unknown>;
  s.script = { loop, steps };
  return s as unknown as Scenario;
}

function problems(s: Scenario): string[] {
  try {
    validateScenario(s, 'x');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}

describe('a scenario script', () => {
  it('the demo’s validates, and so does a JSON round trip of it', () => {
    expect(problems(structuredClone(builtinScenarios.demo))).toEqual([]);
    expect(problems(JSON.parse(JSON.stringify(builtinScenarios.demo)))).toEqual([]);
    expect(builtinScenarios.demo.script?.steps.length).toBeGreaterThan(5);
  });

  it('names the field of each bad entry', () => {
    const steps: unknown[] = [
      { at: '0:10', do: { kind: 'note' }, say: 'x' },
      { at: '01:00', say: 'x', do: { kind: 'note' } },
      { at: '00:01', do: { kind: 'note' } },
      { at: '00:02', do: { kind: 'storm', device: GPU, index: 'MSIX', vector: 6, rate: 0, for: '00:59' } },
      { at: '00:03', do: { kind: 'storm', device: '0000:99:00.0', vector: 0, rate: 10, for: '0:05' } },
      { at: '00:04', do: { kind: 'vm-dma-map', pid: 4242, bytes: 1000 } },
      { at: '00:05', do: { kind: 'vm-dma-map', pid: 1, bytes: 4096 } },
      { at: '00:06', do: { kind: 'vm-reset', device: '0000:65:00.0' } },
      { at: '00:07', do: { kind: 'dma-fault', device: GPU, iova: -1, count: 11 } },
      { at: '00:08', do: { kind: 'explode' } },
      { at: '00:09', do: 'storm' },
      {
        at: '00:10',
        do: { kind: 'vm-start', process: { comm: 'q', cmdline: 'q', groups: [999], lockedBytes: 0, pinnedBytes: 0, memlockLimit: null } },
      },
    ];
    expect(problems(withSteps(steps))).toEqual([
      'script.steps[0].at: required "mm:ss", got "0:10"',
      'script.steps[2].say: a note says something',
      'script.steps[3].do.vector: 0000:17:00.0 has 6 MSIX vectors, no vector 6',
      'script.steps[3].do.rate: required interrupts/s > 0',
      "script.steps[3].do.for: the storm must end by the loop's end 01:00 (00:02 + 00:59)",
      'script.steps[4].do.device: no device "0000:99:00.0" in the scenario',
      'script.steps[4].do.for: required "mm:ss" longer than 00:00, got "0:05"',
      'script.steps[5].do.bytes: required a positive multiple of 4096',
      'script.steps[6].do.pid: no VM with pid 1 is running at 00:05',
      'script.steps[7].do.device: 0000:65:00.0 offers no reset (reset: true in the scenario)',
      'script.steps[8].do.iova: required non-negative integer',
      'script.steps[8].do.count: required 1–10 (the kernel prints no more fault lines in a burst)',
      'script.steps[9].do.kind: expected one of note, storm, vm-dma-map, vm-reset, dma-fault, vm-start, vm-stop, got "explode"',
      'script.steps[10].do: required object with a kind',
      'script.steps[11].do.process.pid: required integer',
      "script.steps[1].at: 01:00 is not before the loop's end 01:00",
    ]);
  });

  it('needs a loop and a list of steps', () => {
    expect(problems(withSteps([], '00:00'))).toEqual(['script.loop: required "mm:ss" after 00:00, got "00:00"']);
    const s = withSteps([]);
    (s as unknown as { script: unknown }).script = { loop: '01:00' };
    expect(problems(s)).toEqual(['script.steps: required array']);
  });

  it('follows the VMs the script starts and stops, in time order whatever the file’s order', () => {
    const ci = { pid: 6200, comm: 'qemu-system-x86', cmdline: 'q', groups: [13], lockedBytes: 0, pinnedBytes: 0, memlockLimit: null };
    const ok: ScriptStep[] = [
      { at: '00:20', do: { kind: 'vm-stop', pid: 6200 } },
      { at: '00:10', do: { kind: 'vm-start', process: ci } },
      { at: '00:15', do: { kind: 'vm-dma-map', pid: 6200, bytes: 4096 } },
    ];
    expect(problems(withSteps(ok))).toEqual([]);
    const late: ScriptStep[] = [...ok, { at: '00:30', do: { kind: 'vm-stop', pid: 6200 } }];
    expect(problems(withSteps(late))).toEqual(['script.steps[3].do.pid: no VM with pid 6200 is running at 00:30']);
    const twice: ScriptStep[] = [...ok, { at: '00:12', do: { kind: 'vm-start', process: ci } }];
    expect(problems(withSteps(twice))).toEqual(['script.steps[3].do.process.pid: pid 6200 is already running at 00:12']);
  });
});
