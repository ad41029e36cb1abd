/**
 * A DriveSession DeviceState (VFIO_DEVICE_GET_INFO, REGION_INFO and IRQ_INFO
 * plus what vfioscope wired) as the wire's DeviceStateView: bigints as hex,
 * flag bits with their uAPI names, PCI region and IRQ index names.
 */
import type { DeviceState } from '@vfioscope/session';
import {
  VFIO_DEVICE_FLAGS_AMBA,
  VFIO_DEVICE_FLAGS_AP,
  VFIO_DEVICE_FLAGS_CAPS,
  VFIO_DEVICE_FLAGS_CCW,
  VFIO_DEVICE_FLAGS_FSL_MC,
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_PLATFORM,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_REGION_INFO_FLAG_CAPS,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '@vfioscope/uapi';
import { toHex64, type DeviceStateView, type IrqIndexName } from '@vfioscope/protocol';
import type { decodePciConfig } from './pci-config.ts';

const DEVICE_FLAGS: [number, string][] = [
  [VFIO_DEVICE_FLAGS_RESET, 'RESET'],
  [VFIO_DEVICE_FLAGS_PCI, 'PCI'],
  [VFIO_DEVICE_FLAGS_PLATFORM, 'PLATFORM'],
  [VFIO_DEVICE_FLAGS_AMBA, 'AMBA'],
  [VFIO_DEVICE_FLAGS_CCW, 'CCW'],
  [VFIO_DEVICE_FLAGS_AP, 'AP'],
  [VFIO_DEVICE_FLAGS_FSL_MC, 'FSL_MC'],
  [VFIO_DEVICE_FLAGS_CAPS, 'CAPS'],
];
const REGION_FLAGS: [number, string][] = [
  [VFIO_REGION_INFO_FLAG_READ, 'READ'],
  [VFIO_REGION_INFO_FLAG_WRITE, 'WRITE'],
  [VFIO_REGION_INFO_FLAG_MMAP, 'MMAP'],
  [VFIO_REGION_INFO_FLAG_CAPS, 'CAPS'],
];
const IRQ_FLAGS: [number, string][] = [
  [VFIO_IRQ_INFO_EVENTFD, 'EVENTFD'],
  [VFIO_IRQ_INFO_MASKABLE, 'MASKABLE'],
  [VFIO_IRQ_INFO_AUTOMASKED, 'AUTOMASKED'],
  [VFIO_IRQ_INFO_NORESIZE, 'NORESIZE'],
];
/** vfio-pci's fixed region index map (VFIO_PCI_*_REGION_INDEX) */
const PCI_REGION_NAMES = ['BAR0', 'BAR1', 'BAR2', 'BAR3', 'BAR4', 'BAR5', 'ROM', 'CONFIG', 'VGA'];
/** vfio-pci's IRQ index map (VFIO_PCI_*_IRQ_INDEX) */
export const PCI_IRQ_NAMES: IrqIndexName[] = ['INTX', 'MSI', 'MSIX', 'ERR', 'REQ'];

export function flagNames(flags: number, table: [number, string][]): string[] {
  return table.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

export function regionName(index: number, isPci: boolean): string {
  return isPci && index < PCI_REGION_NAMES.length ? PCI_REGION_NAMES[index]! : `REGION${index}`;
}

/** "MSIX", "msix" or "2" → 2; null when it names no PCI IRQ index */
export function irqIndexFromParam(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  const i = PCI_IRQ_NAMES.indexOf(s.toUpperCase() as IrqIndexName);
  return i < 0 ? null : i;
}

export function deviceStateView(s: DeviceState, config: ReturnType<typeof decodePciConfig>): DeviceStateView {
  const isPci = (s.info.flags & VFIO_DEVICE_FLAGS_PCI) !== 0;
  return {
    info: {
      flags: s.info.flags,
      flagNames: flagNames(s.info.flags, DEVICE_FLAGS),
      numRegions: s.info.numRegions,
      numIrqs: s.info.numIrqs,
    },
    regions: s.regions.map((r) => ({
      index: r.index,
      name: regionName(r.index, isPci),
      flags: r.flags,
      flagNames: flagNames(r.flags, REGION_FLAGS),
      size: toHex64(r.size),
      offset: toHex64(r.offset),
      capabilities: r.capabilities,
    })),
    irqs: s.irqs.map((q) => ({
      index: q.index,
      name: q.name ?? PCI_IRQ_NAMES[q.index] ?? 'ERR',
      flags: q.flags,
      flagNames: flagNames(q.flags, IRQ_FLAGS),
      count: q.count,
      enabled: q.enabled,
      masked: q.masked,
      vectorsWired: q.vectorsWired,
    })),
    config,
  };
}
