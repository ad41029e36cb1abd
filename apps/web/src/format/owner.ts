/**
 * How the UI names a process that holds VFIO devices — the one rule used by
 * the storm banner, the interrupt tables, the device page and the topology:
 * a VM by its guest name (QEMU's -name, libvirt's domain: what an operator
 * types after `virsh`), any other process by its command, the pid second.
 * The server reads the name (ProcessRef.vm); the UI never parses a cmdline.
 */
import { formatBytes, formatBytesOf, percentLabel } from './units.ts';

export interface ProcessLike {
  pid: number;
  comm: string;
  /** the guest's name, null (or absent) for a process that is not a VM */
  vm?: string | null | undefined;
}

/** "win11-cad" for a VM, "qemu-system-x86" / "dpdk-testpmd" otherwise */
export function processName(p: ProcessLike): string {
  return p.vm ?? p.comm;
}

/** "win11-cad · pid 4242" */
export function processLabel(p: ProcessLike): string {
  return `${processName(p)} · pid ${p.pid}`;
}

/** Who owns a vector or an alert: a process, or (null) an eventfd vfioscope itself wired. */
export function ownerLabel(p: ProcessLike | null | undefined): string {
  return p ? processLabel(p) : 'vfioscope';
}

/**
 * Locked memory against RLIMIT_MEMLOCK in one unit, as the operator compares
 * them: "32 / 33 GiB locked (97 %)", "8 GiB locked (no limit)".
 */
export function lockedLabel(locked: number, limit: number | null, what = 'locked'): string {
  if (limit === null) return `${formatBytes(locked)} ${what} (no limit)`;
  return `${formatBytesOf(locked, limit)} ${what} (${percentLabel(locked, limit)})`;
}

/**
 * The figure RLIMIT_MEMLOCK is checked against for a holder, by how it holds its group: type1 charges pinned
 * pages to VmLck (per process); iommufd — a device cdev — to VmPin, and by default per user, so the process's
 * own VmPin is its share of a budget its user's other processes draw on too.
 */
export function memoryBudget(o: { via: 'group' | 'cdev'; lockedBytes: number; pinnedBytes: number; memlockLimit: number | null }): string {
  return o.via === 'cdev'
    ? `${lockedLabel(o.pinnedBytes, o.memlockLimit, 'pinned (VmPin, per user)')}`
    : lockedLabel(o.lockedBytes, o.memlockLimit);
}
