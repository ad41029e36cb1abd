/**
 * A child process for the SIGTERM teardown tests: it drives one edu through
 * the whole stack with handleSignals on — the legacy path (argv: BDF GROUP)
 * or the native iommufd path (argv: BDF GROUP cdev) — prints "ready", and
 * waits to be killed. The parent then checks that the kernel got everything
 * back (the group opens again, no VFIO IRQ line left).
 */
import { createLinuxHost } from '../linux-host.ts';
import { openCdevStack } from './cdev-stack.ts';
import { EDU_IRQ_ACK, EDU_IRQ_RAISE, eduWrite, openEduStack, waitFor } from './edu-stack.ts';

const [bdf, group, path] = process.argv.slice(2);
const host = createLinuxHost({ handleSignals: true });
const stack = path === 'cdev' ? await openCdevStack(host, bdf!, 4) : await openEduStack(host, { bdf: bdf!, group: Number(group) });
// One interrupt, so that an observer sees this process's vfio-intx line
// count; acknowledged, so that edu does not keep its INTx level asserted for
// the next owner (the kernel would deliver nothing to it until edu deasserts).
await eduWrite(stack.device, EDU_IRQ_RAISE, 1);
await waitFor(
  () => stack.intx.drain(),
  (n) => n > 0,
);
await eduWrite(stack.device, EDU_IRQ_ACK, 1);
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
