/**
 * Where a function sits in the PCI hierarchy, as the reset code of the PCI
 * core asks it: which bus it is on, whether a bridge leads to that bus (a
 * root bus has none, so no secondary bus reset can reach it), and what lies
 * on and below a bus (pci_walk_bus). The scenario's bridges name their
 * secondary bus; the rest follows from the addresses.
 */
import type { SimKernel } from './sim-kernel.ts';
import type { SimPciFunction } from './pci-function.ts';

export interface BusAddress {
  segment: number;
  bus: number;
}

/** "dddd:bb:dd.f" → segment, bus and devfn (PCI_DEVFN(dd, f)) */
export function parseBdf(bdf: string): BusAddress & { devfn: number } {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(bdf);
  if (!m) throw new RangeError(`not a PCI address: ${bdf}`);
  return { segment: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), devfn: (parseInt(m[3]!, 16) << 3) | Number(m[4]) };
}

/** the bus behind a bridge function, null for an endpoint */
function secondaryBus(fn: SimPciFunction): number | null {
  if (fn.spec.kind !== 'pci-bridge') return null;
  return fn.spec.secondaryBus ?? parseBdf(fn.bdf).bus + 1;
}

/** bus->self: the bridge leading to the function's bus, null on a root bus */
export function upstreamBridge(k: SimKernel, fn: SimPciFunction): SimPciFunction | null {
  const at = parseBdf(fn.bdf);
  for (const other of k.functions.values()) {
    if (secondaryBus(other) === at.bus && parseBdf(other.bdf).segment === at.segment) return other;
  }
  return null;
}

/** every function on `bus` and on the buses below it, in address order */
export function functionsOnAndBelow(k: SimKernel, at: BusAddress): SimPciFunction[] {
  const out: SimPciFunction[] = [];
  const buses = [at.bus];
  for (let i = 0; i < buses.length; i++) {
    for (const fn of k.functions.values()) {
      const a = parseBdf(fn.bdf);
      if (a.segment !== at.segment || a.bus !== buses[i]) continue;
      out.push(fn);
      const below = secondaryBus(fn);
      if (below !== null && !buses.includes(below)) buses.push(below);
    }
  }
  return out.sort((a, b) => a.bdf.localeCompare(b.bdf));
}

/**
 * sysfs reset_method: the function's own methods, then `bus` when a secondary
 * bus reset of its parent would reset it alone — pci_parent_bus_reset()
 * (drivers/pci/pci.c) refuses a root bus, a bridge and a bus shared with
 * another function. A model without a reset of its own gets none here: the
 * sim's VFIO_DEVICE_FLAGS_RESET comes from the model, and the kernel offers
 * it exactly when some method exists, so the two stay in agreement.
 */
export function resetMethods(k: SimKernel, fn: SimPciFunction): string[] {
  const methods = [...fn.model.resetMethods];
  if (methods.length === 0 || secondaryBus(fn) !== null || upstreamBridge(k, fn) === null) return methods;
  const alone = functionsOnAndBelow(k, parseBdf(fn.bdf)).length === 1;
  return alone ? [...methods, 'bus'] : methods;
}
