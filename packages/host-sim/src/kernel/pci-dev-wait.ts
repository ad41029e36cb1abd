/**
 * What the PCI core does after resetting a function (drivers/pci/pci.c
 * pci_dev_wait(), Linux 6.1 and 6.12): it polls PCI_COMMAND, sleeping
 * 1, 2, 4 … ms, until the read is not all-ones (PCI_POSSIBLE_ERROR); past
 * PCI_RESET_WAIT it notes "not ready …; waiting", past the method's timeout
 * (PCIE_RESET_READY_POLL_MS, 60 s) it warns "not ready …; giving up" and
 * answers -ENOTTY, and __pci_reset_function_locked() tries the next method,
 * which fails the same way on a function that is gone. So a reset the
 * function does not come back from fails with ENOTTY after a minute, with the
 * kernel's lines about it. The sim prints them at once.
 */
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import { fail } from './fail.ts';
import { KERN_INFO, KERN_WARNING } from './kernel-log.ts';
import type { SimPciFunction } from './pci-function.ts';
import type { SimKernel } from './sim-kernel.ts';

const PCI_COMMAND = 0x04n;
/** drivers/pci/pci.h PCI_RESET_WAIT: ms after which the wait is reported */
const PCI_RESET_WAIT = 1000;
/** drivers/pci/pci.h PCIE_RESET_READY_POLL_MS: how long a function may take to come back */
const PCIE_RESET_READY_POLL_MS = 60_000;

/** the reset_type each method passes to pci_dev_wait() */
const RESET_TYPE: Record<string, string> = { flr: 'FLR', af_flr: 'AF_FLR', pm: 'PM D3hot->D0', bus: 'bus reset' };

/** After `methods` were tried on `fn`: throws ENOTTY, with the kernel's lines, when the function reads all-ones. */
export function pciDevWait(k: SimKernel, fn: SimPciFunction, methods: readonly string[], op: string): void {
  const id = fn.model.read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, 4);
  if (!id.every((b) => b === 0xff)) return;
  const who = `${fn.driver ?? 'pci'} ${fn.bdf}`;
  for (const method of methods) {
    const type = RESET_TYPE[method] ?? method;
    let delay = 1;
    while (delay <= PCIE_RESET_READY_POLL_MS) {
      if (delay > PCI_RESET_WAIT) k.kernelLog.printk(KERN_INFO, `${who}: not ready ${delay - 1}ms after ${type}; waiting`);
      delay *= 2;
    }
    k.kernelLog.printk(KERN_WARNING, `${who}: not ready ${delay - 1}ms after ${type}; giving up`);
  }
  fail('ENOTTY', op, `${fn.bdf} did not come back from the reset: config space reads all-ones`, { device: fn.bdf });
}
