/**
 * Which kernel the sim is: its release string and what follows from it —
 * the VFIO uAPIs it offers and the few rules that changed between the
 * kernels the bed measured (Debian's 6.1, and 6.12 built from Debian's
 * linux-source-6.12; e2e/kernel/README.md, research/iommufd-6.12.md).
 *
 *  - iommufd (/dev/iommu) came in 6.2, the VFIO device cdev
 *    (/dev/vfio/devices/vfioN, CONFIG_VFIO_DEVICE_CDEV) in 6.6.
 *  - /dev/vfio/vfio is served by vfio's own container with type1
 *    (CONFIG_VFIO_CONTAINER) or by iommufd's compat code
 *    (CONFIG_IOMMUFD_VFIO_CONTAINER); the two options exclude each other.
 *  - VFIO_GROUP_SET_CONTAINER with an fd that is neither a container nor an
 *    iommufd: EINVAL on 6.1, EBADFD on 6.12 (group.c: "The FD passed is not
 *    recognized", added with the iommufd support of 6.2).
 *  - vfio_pci_core_do_io_rw() moves BAR accesses in pieces of at most 4 bytes
 *    before 6.11 and of up to 8 since (an 8-byte pread of edu BAR0 is one
 *    access on 6.12, two on 6.1: measured).
 *
 * Defaults keep every existing scenario as it was: a 6.1 kernel has the
 * type1 container only. A kernel of 6.6 or later has /dev/iommu and the cdev
 * with the container served by type1 unless the scenario or the host's
 * options say otherwise (Debian's stock 6.12 image has no CONFIG_IOMMUFD:
 * `iommufd: false`).
 */
import type { HostInfo } from '@vfioscope/host';
import type { SimErrno } from './fail.ts';

export type ContainerBackend = 'type1' | 'iommufd-compat';

/** What a scenario or createSimHost may ask of the kernel; unset fields take the version's defaults. */
export interface KernelChoice {
  /** uname -r, e.g. "6.12.95-vfioscope" */
  release: string;
  /** who serves /dev/vfio/vfio */
  iommu?: ContainerBackend | undefined;
  /** CONFIG_IOMMUFD: /dev/iommu exists */
  iommufd?: boolean | undefined;
  /** CONFIG_VFIO_DEVICE_CDEV: /dev/vfio/devices/vfioN exist */
  cdev?: boolean | undefined;
}

export interface KernelProfile {
  release: string;
  major: number;
  minor: number;
  uapi: HostInfo['uapi'];
  /** errno of VFIO_GROUP_SET_CONTAINER given an open fd that is no container and no iommufd */
  foreignContainerFdErrno: Extract<SimErrno, 'EINVAL' | 'EBADFD'>;
  /** the widest access vfio-pci passes to a BAR in one piece */
  barAccessPiece: 4 | 8;
}

/** "6.12.95-vfioscope" → [6, 12]; anything unparsable is taken as 6.1, the kernel the sim was first measured against. */
export function kernelVersion(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [6, 1];
}

const atLeast = (v: [number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

/** Resolve a kernel choice; an impossible one (cdev on 6.1, compat without iommufd) is a configuration error. */
export function kernelProfile(choice: KernelChoice): KernelProfile {
  const v = kernelVersion(choice.release);
  const hasIommufd = atLeast(v, 6, 2);
  const hasCdev = atLeast(v, 6, 6);
  const iommufd = choice.iommufd ?? hasIommufd;
  const cdev = choice.cdev ?? (iommufd && hasCdev);
  const container = choice.iommu ?? 'type1';
  const problems: string[] = [];
  if (iommufd && !hasIommufd) problems.push('iommufd needs Linux 6.2 or later');
  if (cdev && !hasCdev) problems.push('the VFIO device cdev needs Linux 6.6 or later');
  if (cdev && !iommufd) problems.push('the VFIO device cdev needs iommufd');
  if (container === 'iommufd-compat' && !iommufd) problems.push("iommufd's compat container needs iommufd");
  if (problems.length) throw new Error(`kernel ${choice.release}: ${problems.join('; ')}`);
  return {
    release: choice.release,
    major: v[0],
    minor: v[1],
    uapi: { container, iommufd, cdev },
    foreignContainerFdErrno: hasIommufd ? 'EBADFD' : 'EINVAL',
    barAccessPiece: atLeast(v, 6, 11) ? 8 : 4,
  };
}
