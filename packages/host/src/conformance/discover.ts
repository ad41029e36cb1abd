/**
 * Reads the conformance bed's facts from the host itself, so target
 * factories (sim and linux) never hard-code BDFs or group numbers: the edu
 * devices on vfio-pci alone in viable groups, a shared group that a host
 * driver makes non-viable, a device on a host driver, and the limits in force.
 */
import type { Host } from '../host.ts';
import type { ConformanceTarget } from './target.ts';
import { EDU_DEVICE_ID, EDU_VENDOR_ID } from './edu-regs.ts';

export type DiscoveredBed = Pick<ConformanceTarget, 'edu' | 'sharedGroup' | 'hostDriverDevice' | 'memlockLimit' | 'dmaEntryLimit'>;

/** type1's default when the module parameter cannot be read */
const DEFAULT_DMA_ENTRY_LIMIT = 65535;

export async function discoverBed(host: Host): Promise<DiscoveredBed> {
  const [topology, info] = await Promise.all([host.topology(), host.hostInfo()]);
  const groupOf = new Map(topology.groups.map((g) => [g.id, g]));

  const edu = topology.devices
    .filter((d) => d.vendorId === EDU_VENDOR_ID && d.deviceId === EDU_DEVICE_ID && d.driver === 'vfio-pci')
    .flatMap((d) => {
      const group = d.iommuGroup === null ? undefined : groupOf.get(d.iommuGroup);
      return group?.viable && group.devices.length === 1 ? [{ bdf: d.bdf, group: group.id }] : [];
    })
    .sort((a, b) => a.bdf.localeCompare(b.bdf));

  // a shared group with exactly one blocker, and a VFIO-bound member that makes /dev/vfio/N exist
  const shared = topology.groups.find(
    (g) =>
      g.devices.length >= 2 &&
      !g.viable &&
      g.blockers.length === 1 &&
      topology.devices.some((d) => g.devices.includes(d.bdf) && d.driver === 'vfio-pci'),
  );
  const sharedGroup = shared ? { group: shared.id, devices: [...shared.devices], blocker: { ...shared.blockers[0]! } } : null;

  const onHostDriver = topology.devices.filter((d) => d.driver !== null && d.driver !== 'vfio-pci');
  const outsideShared = onHostDriver.find((d) => !sharedGroup?.devices.includes(d.bdf));
  const pick = outsideShared ?? onHostDriver[0];
  const hostDriverDevice = pick ? { bdf: pick.bdf, driver: pick.driver! } : null;

  return {
    edu,
    sharedGroup,
    hostDriverDevice,
    memlockLimit: info.memlockLimit,
    dmaEntryLimit: info.modules.dmaEntryLimit ?? DEFAULT_DMA_ENTRY_LIMIT,
  };
}
