/**
 * PCI hot reset as vfio-pci offers it (drivers/vfio/pci/vfio_pci_core.c, as
 * in Linux 6.1): the sim has no hotplug slots, so a hot reset is always the
 * secondary bus reset of the bridge above the device, which resets every
 * function on that bus and below it.
 *  - GET_PCI_HOT_RESET_INFO: ENODEV when no bridge leads to the device's bus
 *    (pci_probe_reset_bus on a root bus), else every affected function with
 *    its IOMMU group.
 *  - PCI_HOT_RESET: the same ENODEV; EINVAL for no group fds or more than
 *    there are affected functions, for a function on the bus not bound to
 *    vfio-pci (vfio_pci_dev_set_resettable) and for an affected function whose
 *    group is not among the fds (vfio_dev_in_groups). pci_reset_bus() saves
 *    and restores each function's config state around the reset.
 */
import type { HotResetInfo } from '@vfioscope/host';
import { fail } from './fail.ts';
import type { SimPciFunction } from './pci-function.ts';
import { functionsOnAndBelow, parseBdf, upstreamBridge } from './pci-topology.ts';
import type { SimKernel } from './sim-kernel.ts';

function affected(k: SimKernel, fn: SimPciFunction, op: string): SimPciFunction[] {
  if (upstreamBridge(k, fn) === null)
    fail('ENODEV', op, `${fn.bdf} is on a root bus: no slot or bus reset can reach it`, { device: fn.bdf });
  return functionsOnAndBelow(k, parseBdf(fn.bdf));
}

export function hotResetInfo(k: SimKernel, fn: SimPciFunction): HotResetInfo {
  const devices = affected(k, fn, 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO').map((f) => ({ bdf: f.bdf, id: f.group }));
  return { flags: 0, devices };
}

export function hotReset(k: SimKernel, fn: SimPciFunction, groupIds: readonly number[]): void {
  const op = 'VFIO_DEVICE_PCI_HOT_RESET';
  const ctx = { device: fn.bdf };
  const set = affected(k, fn, op);
  if (groupIds.length === 0 || groupIds.length > set.length)
    fail('EINVAL', op, `${groupIds.length} group fds for a reset that affects ${set.length} functions`, ctx);
  for (const f of set) {
    if (!f.vfio) fail('EINVAL', op, `${f.bdf} on the same bus is not bound to vfio-pci (driver ${f.driver ?? 'none'})`, ctx);
    if (!groupIds.includes(f.group)) fail('EINVAL', op, `${f.bdf} is affected but its group ${f.group} is not among the fds`, ctx);
  }
  k.advance();
  for (const f of set) f.vfio!.busReset();
}
