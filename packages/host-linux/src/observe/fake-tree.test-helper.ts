/**
 * A fake sysfs/procfs/dev tree in a temp dir, shaped like the kernel's, for
 * observe-mode tests on a machine without an IOMMU.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LinuxRoots } from './roots.ts';

export interface FakePci {
  bdf: string;
  vendor: number;
  device: number;
  klass?: number;
  driver?: string;
  override?: string;
  group?: number;
  numa?: number;
  physfn?: string;
  /** the reset_method attribute's text; absent when undefined, as the kernel hides it for a function without reset */
  resetMethod?: string;
  /** N of the device's VFIO cdev (vfio-dev/vfioN, /sys/class/vfio-dev/vfioN, a `dev` attribute 511:N) */
  cdev?: number;
}

export class FakeTree {
  readonly base = mkdtempSync(join(tmpdir(), 'vfioscope-fake-'));
  readonly roots: LinuxRoots = { sys: join(this.base, 'sys'), proc: join(this.base, 'proc'), dev: join(this.base, 'dev') };

  constructor() {
    for (const d of ['bus/pci/devices', 'bus/pci/drivers', 'kernel/iommu_groups', 'module', 'class/iommu', 'devices/system/cpu']) {
      mkdirSync(join(this.roots.sys, d), { recursive: true });
    }
    mkdirSync(join(this.roots.proc, 'sys/kernel'), { recursive: true });
    mkdirSync(join(this.roots.dev, 'vfio'), { recursive: true });
    writeFileSync(join(this.roots.sys, 'bus/pci/drivers_probe'), '');
    writeFileSync(join(this.roots.sys, 'devices/system/cpu/online'), '0-3\n');
  }

  file(path: string, text: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }

  pci(d: FakePci): void {
    const dir = join(this.roots.sys, 'devices/pci0000:00', d.bdf);
    const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}\n`;
    this.file(join(dir, 'vendor'), hex(d.vendor, 4));
    this.file(join(dir, 'device'), hex(d.device, 4));
    this.file(join(dir, 'subsystem_vendor'), hex(0x1af4, 4));
    this.file(join(dir, 'subsystem_device'), hex(0x1100, 4));
    this.file(join(dir, 'class'), hex(d.klass ?? 0xff00, 6));
    this.file(join(dir, 'numa_node'), `${d.numa ?? -1}\n`);
    this.file(join(dir, 'driver_override'), `${d.override ?? '(null)'}\n`);
    if (d.resetMethod !== undefined) this.file(join(dir, 'reset_method'), `${d.resetMethod}\n`);
    symlinkSync(dir, join(this.roots.sys, 'bus/pci/devices', d.bdf));
    if (d.driver) {
      const drv = join(this.roots.sys, 'bus/pci/drivers', d.driver);
      mkdirSync(drv, { recursive: true });
      writeFileSync(join(drv, 'unbind'), '');
      symlinkSync(drv, join(dir, 'driver'));
    }
    if (d.group !== undefined) {
      const g = join(this.roots.sys, 'kernel/iommu_groups', String(d.group));
      mkdirSync(join(g, 'devices'), { recursive: true });
      symlinkSync(dir, join(g, 'devices', d.bdf));
      symlinkSync(g, join(dir, 'iommu_group'));
    }
    if (d.physfn) symlinkSync(join(this.roots.sys, 'devices/pci0000:00', d.physfn), join(dir, 'physfn'));
    if (d.cdev !== undefined) {
      const name = `vfio${d.cdev}`;
      const node = join(dir, 'vfio-dev', name);
      this.file(join(node, 'dev'), `511:${d.cdev}\n`);
      mkdirSync(join(this.roots.sys, 'class/vfio-dev'), { recursive: true });
      // the kernel's link is relative: ../../devices/pci0000:00/<bdf>/vfio-dev/vfioN
      symlinkSync(`../../devices/pci0000:00/${d.bdf}/vfio-dev/${name}`, join(this.roots.sys, 'class/vfio-dev', name));
    }
  }

  /** A regular file where a device node would be (/dev/iommu, /dev/vfio/devices/vfioN): it opens, its ioctls are ENOTTY. */
  devNode(path: string): void {
    this.file(join(this.roots.dev, path), '');
  }

  process(pid: number, opts: { comm: string; cmdline: string[]; fds: string[]; vmLckKb: number; vmPinKb: number; memlock: string }): void {
    const dir = join(this.roots.proc, String(pid));
    this.file(join(dir, 'comm'), `${opts.comm}\n`);
    this.file(join(dir, 'cmdline'), `${opts.cmdline.join('\0')}\0`);
    this.file(
      join(dir, 'status'),
      `Name:\t${opts.comm}\nVmPeak:\t  100 kB\nVmLck:\t${String(opts.vmLckKb).padStart(8)} kB\nVmPin:\t${String(opts.vmPinKb).padStart(8)} kB\n`,
    );
    this.file(
      join(dir, 'limits'),
      `Limit                     Soft Limit           Hard Limit           Units     \nMax locked memory         ${opts.memlock.padEnd(21)}${opts.memlock.padEnd(21)}bytes     \n`,
    );
    mkdirSync(join(dir, 'fd'), { recursive: true });
    for (const [i, target] of opts.fds.entries()) symlinkSync(target, join(dir, 'fd', String(i + 3)));
  }

  remove(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}
