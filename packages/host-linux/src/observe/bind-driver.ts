/**
 * Binding a PCI device to a driver the way an operator does it by hand:
 * write the driver's name to driver_override (so only that driver may claim
 * it), unbind the current driver, and ask the PCI core to probe again
 * (drivers_probe). Unbinding with driver null also clears the override.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VfioError } from '@vfioscope/host';
import { fsError, linkBase } from './fs-read.ts';
import { readOwners } from './proc-owners.ts';
import type { LinuxRoots } from './roots.ts';

const OP = 'bindDriver';

function writeAttr(path: string, value: string, bdf: string): void {
  try {
    writeFileSync(path, value);
  } catch (e) {
    throw fsError(e, OP, `writing "${value.trim()}" to ${path}`, { device: bdf });
  }
}

/**
 * Unbinding a device whose group a process holds does not fail in the kernel: vfio_unregister_group_dev()
 * (drivers/vfio/vfio_main.c) blocks the sysfs write until every fd of the device is closed, asking the
 * holder through VFIO's REQ interrupt meanwhile, and cannot be called off once waiting. A write from
 * here would stop this process (the server's event loop) for as long as a VM keeps the device, so it
 * is refused first with EBUSY, as the sim refuses it.
 */
function refuseIfHeld(roots: LinuxRoots, dir: string, bdf: string, selfPid: number): void {
  const group = linkBase(join(dir, 'iommu_group'));
  if (group === null) return;
  const holders = readOwners(roots, selfPid).filter((o) => o.group === Number(group));
  if (holders.length === 0) return;
  const who = holders.map((o) => (o.self ? 'this process' : `${o.comm} (pid ${o.pid})`)).join(' and ');
  throw VfioError.fromErrno(
    16 /* EBUSY */,
    'unbind',
    `group ${group} of ${bdf} is held by ${who}; the kernel would block the unbind until it is released`,
    {
      device: bdf,
      group: Number(group),
    },
  );
}

export function bindDriver(roots: LinuxRoots, bdf: string, driver: string | null, selfPid: number = process.pid): void {
  const dir = join(roots.sys, 'bus/pci/devices', bdf);
  if (!existsSync(dir)) throw VfioError.fromErrno(19 /* ENODEV */, OP, `no PCI device ${bdf}`, { device: bdf });
  const current = linkBase(join(dir, 'driver'));
  if (driver !== null && current === driver) {
    writeAttr(join(dir, 'driver_override'), driver, bdf);
    return;
  }
  if (current !== null) refuseIfHeld(roots, dir, bdf, selfPid);
  if (driver !== null) writeAttr(join(dir, 'driver_override'), driver, bdf);
  if (current !== null) writeAttr(join(dir, 'driver/unbind'), bdf, bdf);
  if (driver === null) {
    // an empty write (a newline) clears driver_override
    writeAttr(join(dir, 'driver_override'), '\n', bdf);
    return;
  }
  writeAttr(join(roots.sys, 'bus/pci/drivers_probe'), bdf, bdf);
  const now = linkBase(join(dir, 'driver'));
  if (now !== driver) {
    throw VfioError.fromErrno(
      19 /* ENODEV */,
      OP,
      `${driver} did not bind ${bdf} (bound: ${now ?? 'none'}; is the ${driver} module loaded?)`,
      {
        device: bdf,
      },
    );
  }
}
