/**
 * @vfioscope/host-linux: the real backend of the Host interface (VFIO and
 * iommufd through ffi-rs syscalls, observe mode from sysfs/procfs).
 */
export { createLinuxHost, LinuxHost, type LinuxHostOptions } from './linux-host.ts';
export { DEFAULT_ROOTS, type LinuxRoots } from './observe/roots.ts';
export { parseProcInterrupts, type ParsedInterrupts } from './observe/proc-interrupts.ts';
export { groupViability, isDmaSafeDriver } from './observe/viability.ts';
export { LinuxDevice } from './drive/linux-device.ts';
export { LinuxCdevDevice } from './drive/linux-cdev-device.ts';
export { RegionMapping } from './drive/region-mapping.ts';
