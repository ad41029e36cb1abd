/**
 * What a device page says about reset: the PCI core's methods (sysfs
 * reset_method), whether VFIO offers VFIO_DEVICE_RESET (the device flags,
 * known only with the fd open), what a hot reset would take along
 * (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO through the fd, or the kernel's errno)
 * and the last reset's verification. Asking the kernel through an fd that is
 * already open has no side effect; looking never opens one.
 */
import { isVfioError, type PciDevice } from '@vfioscope/host';
import { type DeviceResetView, type DeviceStateView, isProblemCode } from '@vfioscope/protocol';
import { VFIO_PCI_HOT_RESET_FLAG_DEV_ID } from '@vfioscope/uapi';
import type { ServerContext } from '../context.ts';

export type HotResetView = NonNullable<DeviceResetView['hotReset']>;

export async function deviceResetView(ctx: ServerContext, dev: PciDevice, state: DeviceStateView | null): Promise<DeviceResetView> {
  return resetView(ctx, dev, state, state === null ? null : await hotResetView(ctx, dev.bdf));
}

/** GET_PCI_HOT_RESET_INFO through the device fd vfioscope holds (it must hold it), or the kernel's errno */
export async function hotResetView(ctx: ServerContext, bdf: string): Promise<HotResetView> {
  try {
    const info = await ctx.session.hotResetInfo(bdf);
    return { devices: info.devices, devid: (info.flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) !== 0, error: null };
  } catch (err) {
    if (!isVfioError(err)) throw err;
    return { devices: [], devid: false, error: isProblemCode(err.errno) ? err.errno : 'EINTERNAL' };
  }
}

/** the reset section from the fd's state (null: no fd) and the hot-reset answer already had */
export function resetView(
  ctx: ServerContext,
  dev: PciDevice,
  state: DeviceStateView | null,
  hotReset: HotResetView | null,
): DeviceResetView {
  const last = ctx.session.lastReset(dev.bdf);
  if (state === null) return { methods: dev.resetMethods, vfioReset: null, hotReset: null, last };
  return { methods: dev.resetMethods, vfioReset: state.info.flagNames.includes('RESET'), hotReset, last };
}
