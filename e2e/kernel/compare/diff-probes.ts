/**
 * Compare the probe answers of the sim and the kernel; print each probe
 * whose answers differ (field by field). Differences listed in explained.ts
 * are printed apart with their reason and not counted. Exit status 0 either
 * way: the disagreements are findings for the sim, not test failures.
 *   tsx diff-probes.ts sim.json linux.json
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { EXPLAINED } from './explained.ts';

const [simFile, linuxFile] = process.argv.slice(2);
const sim = JSON.parse(readFileSync(simFile!, 'utf8')) as Record<string, unknown>;
const kernel = JSON.parse(readFileSync(linuxFile!, 'utf8')) as Record<string, unknown>;

interface Difference {
  path: string;
  text: string;
}

function diff(path: string, a: unknown, b: unknown, out: Difference[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) === !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff(`${path}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out);
    return;
  }
  out.push({ path, text: `  ${path}\n    sim:    ${JSON.stringify(a)}\n    kernel: ${JSON.stringify(b)}` });
}

let differing = 0;
let explained = 0;
for (const name of Object.keys(kernel)) {
  const found: Difference[] = [];
  diff('', sim[name], kernel[name], found);
  if (found.length === 0) continue;
  const known = EXPLAINED.find((e) => e.probe === name);
  const open = found.filter((d) => !known?.paths.includes(d.path));
  if (open.length === 0) {
    explained++;
    console.log(`EXPLAINED: ${name}\n${found.map((d) => d.text).join('\n')}\n  why: ${known!.why}`);
    continue;
  }
  differing++;
  console.log(`DIFFERS: ${name}\n${found.map((d) => d.text).join('\n')}`);
}
console.log(`${Object.keys(kernel).length} probes, ${differing} differ between the sim and the kernel (${explained} more explained)`);
