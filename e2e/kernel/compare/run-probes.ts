/**
 * Run the behaviour probes on one backend and write the answers as JSON:
 *   tsx run-probes.ts sim   <out.json> [scenario]   (on the development machine)
 *   tsx run-probes.ts linux <out.json>              (in the QEMU guest; guest-tests.sh step "compare")
 * The sim runs its mirror of the guest being compared (run.sh names it:
 * `edu` for 6.1, `edu-6.12` for 6.12-type1, `edu-6.12-compat` for the
 * 6.12 compat and cdev guests, which share the compat module tree); `edu`
 * when none is named.
 */
import { writeFileSync } from 'node:fs';
import type { Host } from '../../../packages/host/src/index.ts';
import { runProbes } from './probes.ts';

const [backend, outFile, scenario = 'edu'] = process.argv.slice(2);
let host: Host;
if (backend === 'linux') {
  const { createLinuxHost } = await import('../../../packages/host-linux/src/index.ts');
  host = createLinuxHost();
} else {
  const { createSimHost } = await import('../../../packages/host-sim/src/index.ts');
  host = createSimHost({ scenario });
}
const answers = await runProbes(host);
await host.close();
writeFileSync(outFile!, `${JSON.stringify(answers, null, 1)}\n`);
console.log(`${Object.keys(answers).length} probes on ${backend}${backend === 'linux' ? '' : ` (${scenario})`} -> ${outFile}`);
