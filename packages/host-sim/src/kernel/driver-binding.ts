/**
 * Binding and unbinding PCI drivers the way an operator does it through
 * sysfs: write the driver name to driver_override, unbind the current
 * driver, write the device to drivers_probe (or, to release a device,
 * unbind and clear driver_override). Viability follows from the result.
 *
 * What the kernel does, and what the sim answers instead:
 * - Unbinding vfio-pci from a device while a user holds its group: the
 *   kernel's vfio_unregister_group_dev() blocks the sysfs write until every
 *   device fd is closed, re-sending the REQ interrupt to the user; a group
 *   held by a VM with the device in use never lets go. The sim cannot
 *   block, so it refuses with EBUSY (and sends REQ once, as the kernel does
 *   first) whenever anyone holds the group, or the device's cdev is open
 *   (an open /dev/vfio/devices/vfioN holds the device's registration).
 * - Binding a host (DMA-owning) driver to a device whose group a user has
 *   claimed: iommu_device_use_default_domain() fails the probe with EBUSY.
 * - vfio-pci refuses bridges (header type 1) with EINVAL at probe.
 * - A driver that does not exist, or does not match the device, leaves it
 *   unbound; the sim reports ENODEV (a driver it knows: vfio-pci, pci-stub,
 *   or the device's scenario driver).
 */
import { fail } from './fail.ts';
import { deviceRequestLine, KERN_NOTICE, KERN_WARNING } from './kernel-log.ts';
import { isDmaManagedDriver, isVfioDriver, type SimPciFunction } from './pci-function.ts';
import type { SimKernel } from './sim-kernel.ts';

const OP = 'drivers_probe';

export function bindDriver(k: SimKernel, bdf: string, driver: string | null): void {
  const fn = k.functions.get(bdf);
  if (!fn) fail('ENODEV', OP, `no PCI device ${bdf}`, { device: bdf });
  const g = k.groups.get(fn.group)!;
  if (driver !== null && driver === fn.driver) {
    fn.driverOverride = driver;
    return;
  }
  if (driver !== null && !knownDriverFor(fn, driver)) {
    fail('ENODEV', OP, `no driver "${driver}" matches ${bdf}`, { device: bdf, field: 'driver' });
  }
  if (fn.driver !== null) {
    if (g.holder || (fn.vfio?.cdevFiles ?? 0) > 0) {
      if (fn.vfio && fn.vfio.openCount > 0) {
        const relayed = fn.vfio.irqs.request();
        k.kernelLog.printk(relayed ? KERN_NOTICE : KERN_WARNING, deviceRequestLine(bdf, relayed));
      }
      const who = g.holder?.kind === 'process' ? `pid ${g.holder.pid}` : 'this process';
      fail('EBUSY', 'unbind', `group ${g.id} of ${bdf} is held by ${who}; the kernel would wait for it to be released`, {
        device: bdf,
        group: g.id,
      });
    }
    unbind(fn);
  }
  fn.driverOverride = driver;
  if (driver === null) return;
  if (isVfioDriver(driver) && fn.isBridge) fail('EINVAL', OP, `vfio-pci does not bind bridges (${bdf})`, { device: bdf });
  if (!isDmaManagedDriver(driver) && g.userOwned) {
    fail('EBUSY', OP, `group ${g.id} DMA is owned by a VFIO user; ${driver} cannot probe ${bdf}`, { device: bdf, group: g.id });
  }
  fn.driver = driver;
  if (isVfioDriver(driver)) k.registerVfio(fn);
}

function unbind(fn: SimPciFunction): void {
  fn.driver = null;
  fn.vfio = null;
}

function knownDriverFor(fn: SimPciFunction, driver: string): boolean {
  return driver === 'vfio-pci' || driver === 'pci-stub' || driver === fn.spec.driver;
}
