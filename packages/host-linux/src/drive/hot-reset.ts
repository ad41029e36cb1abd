/**
 * PCI hot reset through a device fd (drivers/vfio/pci/vfio_pci_core.c):
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO lists the functions a slot or secondary
 * bus reset would take along — asked first with no room, so the kernel
 * answers ENOSPC with the count, then with room for that many —, and
 * VFIO_DEVICE_PCI_HOT_RESET performs it given the fds of every affected group.
 */
import { VfioError, type Group, type HotResetInfo, type VfioErrorContext } from '@vfioscope/host';
import {
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
  VFIO_DEVICE_PCI_HOT_RESET,
  decodePciHotResetInfo,
  encodePciHotReset,
  encodePciHotResetInfo,
} from '@vfioscope/uapi';
import * as libc from '../syscalls/libc.ts';
import { LinuxGroup } from './linux-group.ts';

const INFO = 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO';
const RESET = 'VFIO_DEVICE_PCI_HOT_RESET';

const bdfOf = (segment: number, bus: number, devfn: number): string =>
  `${segment.toString(16).padStart(4, '0')}:${bus.toString(16).padStart(2, '0')}:${(devfn >> 3).toString(16).padStart(2, '0')}.${devfn & 7}`;

export function hotResetInfo(fd: number, ctx: VfioErrorContext): HotResetInfo {
  let capacity = 0;
  // the set can change between the two calls (a hotplug): ask again while the kernel still says ENOSPC
  for (let attempt = 0; ; attempt++) {
    const buf = encodePciHotResetInfo(capacity);
    try {
      libc.ioctlPtr(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, buf, INFO, ctx);
    } catch (err) {
      if (!(err instanceof VfioError) || err.errno !== 'ENOSPC' || attempt > 3) throw err;
      capacity = decodePciHotResetInfo(buf).count;
      continue;
    }
    const info = decodePciHotResetInfo(buf);
    return {
      flags: info.flags,
      devices: info.devices.map((d) => ({ bdf: bdfOf(d.segment, d.bus, d.devfn), id: d.group_id })),
    };
  }
}

export async function hotReset(fd: number, groups: readonly Group[], ctx: VfioErrorContext): Promise<void> {
  const fds = groups.map((g) => {
    // only a group file proves ownership; anything else is what the kernel would call EINVAL or EBADF
    if (!(g instanceof LinuxGroup)) throw new VfioError('EINVAL', RESET, `group ${g.id} is not a group file of this host`, ctx);
    return g.fd;
  });
  // the reset waits on the devices (pci_reset_bus: the link retrains, up to a second): off the event loop
  await libc.ioctlPtrBlocking(fd, VFIO_DEVICE_PCI_HOT_RESET, encodePciHotReset(fds), RESET, ctx);
}
