/**
 * VFIO's two signalling IRQ indexes mean something when they fire, unlike a
 * data vector's rate:
 * - VFIO_PCI_ERR_IRQ_INDEX: vfio-pci's AER error_detected handler
 *   (drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_aer_err_detected) signals
 *   err_trigger — the device hit a PCIe error and its user must recover it;
 * - VFIO_PCI_REQ_IRQ_INDEX: vfio_pci_core_request() signals req_trigger when
 *   the kernel wants the device back (an unbind or hot-unplug is waiting) —
 *   the remove blocks until the user closes the device.
 * Each firing on a vector vfioscope wired becomes a signal that KernelAlerts
 * raises (or counts into) an alert for.
 */
import { parseKey } from './irq-rate-sampler.ts';

export interface VfioSignal {
  reason: 'device-error' | 'device-request';
  bdf: string;
  /** times it fired since the last tick */
  count: number;
}

export function vfioSignals(drained: ReadonlyMap<string, number>): VfioSignal[] {
  const out: VfioSignal[] = [];
  for (const [key, n] of drained) {
    if (n <= 0) continue;
    const k = parseKey(key);
    if (k?.index === 'ERR') out.push({ reason: 'device-error', bdf: k.bdf, count: n });
    else if (k?.index === 'REQ') out.push({ reason: 'device-request', bdf: k.bdf, count: n });
  }
  return out;
}
