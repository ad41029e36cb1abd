/**
 * Who holds which IOMMU group, found by reading every /proc/PID/fd symlink:
 *  - the legacy path: /dev/vfio/N open (the group file; via 'group');
 *  - the iommufd path: /dev/vfio/devices/vfioN open (a device's cdev, which
 *    QEMU's `-object iommufd` opens instead of the group): the process holds
 *    that device's group (via 'cdev'), resolved through
 *    /sys/class/vfio-dev/vfioN. /dev/iommu beside it is the IOMMU context;
 *    alone it owns no device, so it makes no owner.
 * With each owner the memory it has locked and pinned (VmLck, VmPin in
 * /proc/PID/status: type1 charges pinned DMA pages to VmLck, iommufd to
 * VmPin, its compat container to both) and its RLIMIT_MEMLOCK
 * (/proc/PID/limits). Processes we may not inspect, or that exit mid-scan,
 * are skipped.
 */
import { join } from 'node:path';
import type { GroupOwner } from '@vfioscope/host';
import { listDir, readLink, readText } from './fs-read.ts';
import type { LinuxRoots } from './roots.ts';
import { cdevDevice } from './vfio-cdev.ts';

/** "VmLck:     1234 kB" → bytes; 0 when absent (kernel threads). */
export function statusBytes(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** RLIMIT_MEMLOCK soft limit from /proc/PID/limits text, null = unlimited. */
export function memlockFromLimits(limits: string): number | null {
  const m = /^Max locked memory\s+(\S+)\s+(\S+)\s+bytes/m.exec(limits);
  if (!m || m[1] === 'unlimited') return null;
  return Number(m[1]);
}

/** The VFIO and iommufd files one process has open, from its /proc/PID/fd links. */
export interface VfioFds {
  /** N of each /dev/vfio/N */
  groups: number[];
  /** "vfioN" of each /dev/vfio/devices/vfioN */
  cdevs: string[];
  /** /dev/vfio/vfio open (a legacy container: type1, or iommufd's compat) */
  container: boolean;
  /** /dev/iommu open */
  iommufd: boolean;
}

export function vfioFdsOf(roots: LinuxRoots, pid: string): VfioFds {
  const fdDir = join(roots.proc, pid, 'fd');
  const vfio = `${join(roots.dev, 'vfio')}/`;
  const devices = `${join(roots.dev, 'vfio/devices')}/`;
  const iommu = join(roots.dev, 'iommu');
  const groups = new Set<number>();
  const cdevs = new Set<string>();
  let container = false;
  let iommufd = false;
  for (const fd of listDir(fdDir)) {
    const target = readLink(join(fdDir, fd));
    if (target === null) continue;
    if (target === iommu) iommufd = true;
    else if (target.startsWith(devices)) {
      const name = target.slice(devices.length);
      if (/^vfio\d+$/.test(name)) cdevs.add(name);
    } else if (target.startsWith(vfio)) {
      const rest = target.slice(vfio.length);
      if (rest === 'vfio') container = true;
      else if (/^\d+$/.test(rest)) groups.add(Number(rest));
    }
  }
  return { groups: [...groups].sort((a, b) => a - b), cdevs: [...cdevs].sort(), container, iommufd };
}

/** How each group a process holds is held: its group file wins over a device cdev of it. */
function heldGroups(fds: VfioFds, groupOfCdev: (name: string) => number | null): Map<number, GroupOwner['via']> {
  const held = new Map<number, GroupOwner['via']>();
  for (const g of fds.groups) held.set(g, 'group');
  for (const name of fds.cdevs) {
    const g = groupOfCdev(name);
    if (g !== null && !held.has(g)) held.set(g, 'cdev');
  }
  return held;
}

export function readOwners(roots: LinuxRoots, selfPid: number): GroupOwner[] {
  const owners: GroupOwner[] = [];
  // one sysfs lookup per cdev per scan, however many processes hold it
  const cdevGroups = new Map<string, number | null>();
  const groupOfCdev = (name: string): number | null => {
    if (!cdevGroups.has(name)) cdevGroups.set(name, cdevDevice(roots, name)?.group ?? null);
    return cdevGroups.get(name) ?? null;
  };
  for (const pid of listDir(roots.proc).filter((p) => /^\d+$/.test(p))) {
    const held = heldGroups(vfioFdsOf(roots, pid), groupOfCdev);
    if (held.size === 0) continue;
    const status = readText(join(roots.proc, pid, 'status'));
    if (status === null) continue; // exited
    const comm = (readText(join(roots.proc, pid, 'comm')) ?? '').trim();
    const cmdline = (readText(join(roots.proc, pid, 'cmdline')) ?? '').split('\0').filter(Boolean).join(' ');
    const limits = readText(join(roots.proc, pid, 'limits'));
    for (const [group, via] of held) {
      owners.push({
        group,
        via,
        pid: Number(pid),
        comm,
        cmdline,
        self: Number(pid) === selfPid,
        lockedBytes: statusBytes(status, 'VmLck'),
        pinnedBytes: statusBytes(status, 'VmPin'),
        memlockLimit: limits === null ? null : memlockFromLimits(limits),
      });
    }
  }
  return owners.sort((a, b) => a.group - b.group || a.pid - b.pid);
}
