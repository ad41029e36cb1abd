/**
 * Compare the probe answers of the sim and the kernel; print each probe
 * whose answers differ (field by field). Exit status 0 either way: the
 * disagreements are findings for the sim, not test failures.
 *   tsx diff-probes.ts sim.json linux.json
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const [simFile, linuxFile] = process.argv.slice(2);
const sim = JSON.parse(readFileSync(simFile!, 'utf8')) as Record<string, unknown>;
const kernel = JSON.parse(readFileSync(linuxFile!, 'utf8')) as Record<string, unknown>;

function diff(path: string, a: unknown, b: unknown, out: string[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) === !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff(`${path}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out);
    return;
  }
  out.push(`  ${path}\n    sim:    ${JSON.stringify(a)}\n    kernel: ${JSON.stringify(b)}`);
}

let differing = 0;
for (const name of Object.keys(kernel)) {
  const lines: string[] = [];
  diff('', sim[name], kernel[name], lines);
  if (lines.length === 0) continue;
  differing++;
  console.log(`DIFFERS: ${name}\n${lines.join('\n')}`);
}
console.log(`${Object.keys(kernel).length} probes, ${differing} differ between the sim and the kernel`);
