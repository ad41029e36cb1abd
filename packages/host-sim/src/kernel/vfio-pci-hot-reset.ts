/**
 * PCI hot reset as vfio-pci offers it (drivers/vfio/pci/vfio_pci_core.c): the
 * sim has no hotplug slots, so a hot reset is always the secondary bus reset
 * of the bridge above the device, which resets every function on that bus
 * and below it.
 *  - GET_PCI_HOT_RESET_INFO: ENODEV when no bridge leads to the device's bus
 *    (pci_probe_reset_bus on a root bus), else every affected function with
 *    its IOMMU group — or, for a device opened through its cdev (Linux 6.6+),
 *    with its devid in the caller's iommufd (FLAG_DEV_ID): VFIO_PCI_DEVID_OWNED
 *    for one whose group has a device bound there, VFIO_PCI_DEVID_NOT_OWNED
 *    otherwise, FLAG_DEV_ID_OWNED when every one is owned.
 *  - PCI_HOT_RESET: since 6.6 an empty fd array is for a cdev-opened device
 *    only and a group-opened one must pass fds (EINVAL, checked first); then
 *    ENODEV as above; 6.1 takes no fds as EINVAL after that check. EINVAL
 *    for more fds than affected functions, for a function on the bus not
 *    bound to vfio-pci (vfio_pci_dev_set_resettable) and for an affected
 *    function its caller does not own — its group not among the fds
 *    (vfio_dev_in_groups), or not owned by the cdev's iommufd.
 *    pci_reset_bus() saves and restores each function's config state.
 */
import type { HotResetInfo } from '@vfioscope/host';
import {
  VFIO_PCI_DEVID_NOT_OWNED,
  VFIO_PCI_DEVID_OWNED,
  VFIO_PCI_HOT_RESET_FLAG_DEV_ID,
  VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
} from '@vfioscope/uapi';
import { fail } from './fail.ts';
import type { IommufdCtx } from './iommufd.ts';
import type { SimPciFunction } from './pci-function.ts';
import { functionsOnAndBelow, parseBdf, upstreamBridge } from './pci-topology.ts';
import type { SimKernel } from './sim-kernel.ts';

const INFO = 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO';
const RESET = 'VFIO_DEVICE_PCI_HOT_RESET';

function affected(k: SimKernel, fn: SimPciFunction, op: string): SimPciFunction[] {
  if (upstreamBridge(k, fn) === null)
    fail('ENODEV', op, `${fn.bdf} is on a root bus: no slot or bus reset can reach it`, { device: fn.bdf });
  return functionsOnAndBelow(k, parseBdf(fn.bdf));
}

/** vfio_iommufd_get_dev_id(): the devid in `ictx`, OWNED through the group's binding, or NOT_OWNED */
function devidIn(k: SimKernel, f: SimPciFunction, ictx: IommufdCtx): number {
  if (!f.vfio) return VFIO_PCI_DEVID_NOT_OWNED;
  if (f.vfio.iommufd?.ctx === ictx) return f.vfio.iommufd.id;
  for (const other of k.functions.values()) {
    if (other.group === f.group && other.vfio?.iommufd?.ctx === ictx) return VFIO_PCI_DEVID_OWNED;
  }
  return VFIO_PCI_DEVID_NOT_OWNED;
}

/** `ictx`: the iommufd a cdev-opened device is bound to, null for a device from its group */
export function hotResetInfo(k: SimKernel, fn: SimPciFunction, ictx: IommufdCtx | null): HotResetInfo {
  const set = affected(k, fn, INFO);
  if (ictx === null) return { flags: 0, devices: set.map((f) => ({ bdf: f.bdf, id: f.group })) };
  const ids = set.map((f) => devidIn(k, f, ictx));
  const owned = ids.every((id) => id !== VFIO_PCI_DEVID_NOT_OWNED);
  return {
    flags: VFIO_PCI_HOT_RESET_FLAG_DEV_ID | (owned ? VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED : 0),
    devices: set.map((f, i) => ({ bdf: f.bdf, id: ids[i]! >>> 0 })),
  };
}

export function hotReset(k: SimKernel, fn: SimPciFunction, groupIds: readonly number[], ictx: IommufdCtx | null): void {
  const ctx = { device: fn.bdf };
  if (k.profile.uapi.cdev && (groupIds.length === 0) !== (ictx !== null))
    fail('EINVAL', RESET, ictx ? 'a device opened through its cdev takes no group fds' : 'no group fds', ctx);
  const set = affected(k, fn, RESET);
  if (ictx === null && (groupIds.length === 0 || groupIds.length > set.length))
    fail('EINVAL', RESET, `${groupIds.length} group fds for a reset that affects ${set.length} functions`, ctx);
  for (const f of set) {
    if (!f.vfio) fail('EINVAL', RESET, `${f.bdf} on the same bus is not bound to vfio-pci (driver ${f.driver ?? 'none'})`, ctx);
    const owned = ictx ? devidIn(k, f, ictx) !== VFIO_PCI_DEVID_NOT_OWNED : groupIds.includes(f.group);
    if (!owned) fail('EINVAL', RESET, `${f.bdf} is affected but not owned by the caller (group ${f.group})`, ctx);
  }
  k.advance();
  for (const f of set) f.vfio!.busReset();
}
