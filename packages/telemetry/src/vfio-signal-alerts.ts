/**
 * VFIO's two signalling IRQ indexes mean something when they fire, unlike a
 * data vector's rate:
 * - VFIO_PCI_ERR_IRQ_INDEX: vfio-pci's AER error_detected handler
 *   (drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_aer_err_detected) signals
 *   err_trigger — the device hit a PCIe error and its user must recover it;
 * - VFIO_PCI_REQ_IRQ_INDEX: vfio_pci_core_request() signals req_trigger when
 *   the kernel wants the device back (an unbind or hot-unplug is waiting) —
 *   the remove blocks until the user closes the device.
 * Each firing on a vector vfioscope wired becomes an alert saying so.
 */
import type { LogEventInput } from './event-log-types.ts';
import { parseKey } from './irq-rate-sampler.ts';

export function vfioSignalAlerts(drained: ReadonlyMap<string, number>): LogEventInput[] {
  const out: LogEventInput[] = [];
  for (const [key, n] of drained) {
    if (n <= 0) continue;
    const k = parseKey(key);
    if (!k) continue;
    const times = n === 1 ? 'once' : `${n} times`;
    if (k.index === 'ERR') {
      out.push({
        kind: 'alert',
        op: 'vfio-err',
        device: k.bdf,
        message: `${k.bdf}: the VFIO ERR interrupt fired ${times} — the kernel's AER handler reported a PCIe error on the device to its user (vfio-pci error_detected). The device may need a reset: check the kernel messages for the AER error, reset it (or release it) before trusting DMA again.`,
        data: { index: k.index, count: n },
      });
    } else if (k.index === 'REQ') {
      out.push({
        kind: 'alert',
        op: 'vfio-req',
        device: k.bdf,
        message: `${k.bdf}: the VFIO REQ interrupt fired ${times} — the kernel asks for the device back (an unbind or hot-unplug is waiting and blocks until the device is closed). Release its group here, or the unbind waits.`,
        data: { index: k.index, count: n },
      });
    }
  }
  return out;
}
