/**
 * What a backend must provide to run the conformance suite: a Host plus the
 * facts of the bed it runs on (which edu devices, which shared group, which
 * limits are in force). The suite discovers nothing by BDF itself; the target
 * factory reads them from `host.topology()` so the same cases run on the sim
 * and on a real kernel in a QEMU guest.
 */
import type { Host } from '../host.ts';

export interface EduDeviceRef {
  bdf: string;
  group: number;
}

export interface SharedGroupRef {
  group: number;
  devices: string[];
  /** the device bound to a host driver that makes the group not viable */
  blocker: { bdf: string; driver: string };
}

export interface ConformanceTarget {
  /** 'sim' | 'linux' */
  name: string;
  host: Host;
  /** ≥2 QEMU edu devices bound to vfio-pci, each alone in a viable group */
  edu: EduDeviceRef[];
  /** a group with ≥2 devices that is NOT viable because `blocker` is on a host driver */
  sharedGroup: SharedGroupRef | null;
  /** a non-VFIO device, for observe */
  hostDriverDevice: { bdf: string; driver: string } | null;
  /** the RLIMIT_MEMLOCK the target runs under (bytes), null = unlimited */
  memlockLimit: number | null;
  /** vfio_iommu_type1.dma_entry_limit in force */
  dmaEntryLimit: number;
  /** hold /dev/vfio/N from another process, returning a release function (EBUSY test) */
  holdGroupElsewhere(group: number): Promise<() => Promise<void>>;
  dispose(): Promise<void>;
}
