/**
 * Who holds which IOMMU group: every process with /dev/vfio/N open (found by
 * reading the /proc/PID/fd symlinks), with the memory it has locked and
 * pinned (VmLck, VmPin in /proc/PID/status: type1 accounts pinned DMA pages
 * to the mapping process) and its RLIMIT_MEMLOCK (/proc/PID/limits).
 * Processes we may not inspect, or that exit mid-scan, are skipped.
 */
import { join } from 'node:path';
import type { GroupOwner } from '@vfioscope/host';
import { listDir, readLink, readText } from './fs-read.ts';
import type { LinuxRoots } from './roots.ts';

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

export function groupsOpenBy(roots: LinuxRoots, pid: string): number[] {
  const fdDir = join(roots.proc, pid, 'fd');
  const groups = new Set<number>();
  const prefix = `${join(roots.dev, 'vfio')}/`;
  for (const fd of listDir(fdDir)) {
    const target = readLink(join(fdDir, fd));
    if (target === null || !target.startsWith(prefix)) continue;
    const rest = target.slice(prefix.length);
    if (/^\d+$/.test(rest)) groups.add(Number(rest));
  }
  return [...groups].sort((a, b) => a - b);
}

export function readOwners(roots: LinuxRoots, selfPid: number): GroupOwner[] {
  const owners: GroupOwner[] = [];
  for (const pid of listDir(roots.proc).filter((p) => /^\d+$/.test(p))) {
    const groups = groupsOpenBy(roots, pid);
    if (groups.length === 0) continue;
    const status = readText(join(roots.proc, pid, 'status'));
    if (status === null) continue; // exited
    const comm = (readText(join(roots.proc, pid, 'comm')) ?? '').trim();
    const cmdline = (readText(join(roots.proc, pid, 'cmdline')) ?? '').split('\0').filter(Boolean).join(' ');
    const limits = readText(join(roots.proc, pid, 'limits'));
    for (const group of groups) {
      owners.push({
        group,
        via: 'group',
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
