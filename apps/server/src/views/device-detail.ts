/**
 * The full view of one device: its PCI identity from the topology, and —
 * when vfioscope holds its device fd — the fd's state and decoded config
 * space. Looking never opens a device fd. Config is read straight from the device fd, not through the
 * session's recorded regionRead: looking is not an action and must not fill
 * the event log.
 */
import type { PciDevice } from '@vfioscope/host';
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import type { DeviceResponse, DeviceStateView } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { deviceResetView } from './device-reset.ts';
import { deviceStateView } from './device-view.ts';
import { decodePciConfig } from './pci-config.ts';
import { topologyView } from './topology-view.ts';

const CONFIG_READ_MAX = 4096;

export async function deviceStateFor(ctx: ServerContext, bdf: string): Promise<DeviceStateView> {
  const state = await ctx.session.deviceState(bdf);
  let config: ReturnType<typeof decodePciConfig> = null;
  const cfgRegion = state.regions.find((r) => r.index === VFIO_PCI_CONFIG_REGION_INDEX && r.error === null);
  if (cfgRegion && cfgRegion.size > 0n) {
    try {
      const device = await ctx.session.device(bdf);
      const size = Number(cfgRegion.size < BigInt(CONFIG_READ_MAX) ? cfgRegion.size : BigInt(CONFIG_READ_MAX));
      config = decodePciConfig(await device.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, size));
    } catch {
      config = null; // a config read can fail (device in reset); the rest of the view still stands
    }
  }
  return deviceStateView(state, config);
}

export function groupHeld(ctx: ServerContext, dev: PciDevice): boolean {
  return dev.iommuGroup !== null && ctx.session.groups().some((g) => g.group === dev.iommuGroup);
}

/** vfioscope holds this device's fd: its state can be read without any kernel side effect. */
export function fdOpen(ctx: ServerContext, bdf: string): boolean {
  return ctx.session.groups().some((g) => g.devices.includes(bdf));
}

function notHeldReason(ctx: ServerContext, dev: PciDevice): string {
  if (dev.iommuGroup === null) return 'the device has no IOMMU group';
  if (!groupHeld(ctx, dev)) return `vfioscope does not hold group ${dev.iommuGroup}; open it to see the device fd`;
  return `vfioscope holds group ${dev.iommuGroup} but not this device's fd (driver ${dev.driver ?? 'none'}); an action on the device opens it`;
}

export async function deviceDetail(ctx: ServerContext, dev: PciDevice): Promise<DeviceResponse> {
  const pci = topologyView({ groups: [], devices: [dev] }, [], []).devices[0]!;
  const groupOpen = groupHeld(ctx, dev);
  if (!fdOpen(ctx, dev.bdf)) {
    const reset = await deviceResetView(ctx, dev, null);
    return { bdf: dev.bdf, group: dev.iommuGroup, pci, groupOpen, state: null, reason: notHeldReason(ctx, dev), reset };
  }
  const state = await deviceStateFor(ctx, dev.bdf);
  return { bdf: dev.bdf, group: dev.iommuGroup, pci, groupOpen, state, reset: await deviceResetView(ctx, dev, state) };
}
