/**
 * Run the behaviour probes on one backend and write the answers as JSON:
 *   tsx run-probes.ts sim   <out.json>   (on the development machine)
 *   tsx run-probes.ts linux <out.json>   (in the QEMU guest; guest-tests.sh step "compare")
 * The sim runs the `edu` scenario, its mirror of the guest.
 */
import { writeFileSync } from 'node:fs';
import type { Host } from '../../../packages/host/src/index.ts';
import { runProbes } from './probes.ts';

const [backend, outFile] = process.argv.slice(2);
let host: Host;
if (backend === 'linux') {
  const { createLinuxHost } = await import('../../../packages/host-linux/src/index.ts');
  host = createLinuxHost();
} else {
  const { createSimHost } = await import('../../../packages/host-sim/src/index.ts');
  host = createSimHost({ scenario: 'edu' });
}
const answers = await runProbes(host);
await host.close();
writeFileSync(outFile!, `${JSON.stringify(answers, null, 1)}\n`);
console.log(`${Object.keys(answers).length} probes on ${backend} -> ${outFile}`);
