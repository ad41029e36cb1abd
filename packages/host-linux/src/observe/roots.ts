/**
 * Where the kernel's pseudo-filesystems are. Injectable so that observe mode
 * can be tested on a fake sysfs/procfs tree in a temp dir.
 */
export interface LinuxRoots {
  /** sysfs mount, normally /sys */
  sys: string;
  /** procfs mount, normally /proc */
  proc: string;
  /** devtmpfs, normally /dev (where /dev/vfio/N lives) */
  dev: string;
}

export const DEFAULT_ROOTS: LinuxRoots = { sys: '/sys', proc: '/proc', dev: '/dev' };
