/**
 * The built-in scenarios and loading one by name or from a JSON file.
 */
import { readFileSync } from 'node:fs';
import { defaultScenario } from './default.ts';
import { demoScenario } from './demo.ts';
import { eduScenario } from './edu.ts';
import { edu612CompatScenario, edu612Scenario } from './edu-6.12.ts';
import { largeScenario } from './large.ts';
import type { Scenario } from './scenario-types.ts';
import { stormScenario } from './storm.ts';
import { vectors4kScenario } from './vectors-4k.ts';
import { ScenarioError, validateScenario } from './validate.ts';

export type * from './scenario-types.ts';
export type * from './script/script-types.ts';
export { ScenarioError, validateScenario } from './validate.ts';
export { cumulativeInterrupts, interruptsBetween, peakRate, rateAt, loadProfileProblems } from './load-profile.ts';
export { STORM_INTX_START_MS, STORM_MSIX_START_MS } from './storm.ts';

export const builtinScenarios = {
  default: defaultScenario,
  edu: eduScenario,
  'edu-6.12': edu612Scenario,
  'edu-6.12-compat': edu612CompatScenario,
  storm: stormScenario,
  demo: demoScenario,
  large: largeScenario,
  'vectors-4k': vectors4kScenario,
} satisfies Record<string, Scenario>;

type BuiltinScenarioName = keyof typeof builtinScenarios;

function isBuiltinScenarioName(name: string): name is BuiltinScenarioName {
  return Object.hasOwn(builtinScenarios, name);
}

/**
 * A built-in scenario by name, or a scenario JSON file by path. Returns a
 * fresh deep copy, so callers may mutate it (bind drivers, …) freely.
 */
export function loadScenario(nameOrFile: string): Scenario {
  if (isBuiltinScenarioName(nameOrFile)) return structuredClone(builtinScenarios[nameOrFile]);
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ScenarioError(nameOrFile, [
      `not a built-in scenario (${Object.keys(builtinScenarios).join(', ')}) and not a readable file (${reason})`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(nameOrFile, [`not valid JSON: ${(e as Error).message}`]);
  }
  return validateScenario(parsed, nameOrFile);
}
