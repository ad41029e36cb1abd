/**
 * The PCI hot reset structs (linux/vfio.h): VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 * names every function a slot or secondary bus reset of this device would
 * reset with it (vfio_pci_dependent_device: its IOMMU group and address);
 * VFIO_DEVICE_PCI_HOT_RESET performs that reset when the caller proves it owns
 * every affected group by passing their fds. Both are argsz-framed with a
 * trailing flexible array: when the info buffer is too small the kernel
 * answers ENOSPC with `count` filled in (vfio_pci_ioctl_get_pci_hot_reset_info
 * in drivers/vfio/pci/vfio_pci_core.c), so the caller retries with room for
 * that many entries.
 */
import { argszFrame, requireLength, setU32, u16, u32, viewOf } from './layout.ts';
import { VFIO_PCI_DEPENDENT_DEVICE_LAYOUT, VFIO_PCI_HOT_RESET_INFO_LAYOUT, VFIO_PCI_HOT_RESET_LAYOUT } from './layouts-device.ts';

export interface VfioPciDependentDevice {
  /**
   * the IOMMU group of the function; when the info's flags carry
   * VFIO_PCI_HOT_RESET_FLAG_DEV_ID (a cdev-opened device, Linux 6.6+) the same
   * 32 bits are the function's iommufd devid instead
   */
  group_id: number;
  segment: number;
  bus: number;
  /** PCI_SLOT(devfn) = devfn >> 3, PCI_FUNC(devfn) = devfn & 7 */
  devfn: number;
}

export interface VfioPciHotResetInfo {
  argsz: number;
  flags: number;
  /** the number of affected functions (filled in on ENOSPC too) */
  count: number;
  /** the entries that fit the buffer */
  devices: VfioPciDependentDevice[];
}

/** A vfio_pci_hot_reset_info buffer with room for `capacity` dependent devices. */
export function encodePciHotResetInfo(capacity: number): Uint8Array {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity ${capacity} is not a count`);
  const argsz = VFIO_PCI_HOT_RESET_INFO_LAYOUT.size + capacity * VFIO_PCI_DEPENDENT_DEVICE_LAYOUT.size;
  const bytes = new Uint8Array(argsz);
  setU32(viewOf(bytes), VFIO_PCI_HOT_RESET_INFO_LAYOUT.fields.argsz, argsz);
  return bytes;
}

/** The header, and as many entries as both `count` and the buffer allow. */
export function decodePciHotResetInfo(bytes: Uint8Array): VfioPciHotResetInfo {
  const L = VFIO_PCI_HOT_RESET_INFO_LAYOUT;
  const D = VFIO_PCI_DEPENDENT_DEVICE_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  const count = u32(v, L.fields.count);
  const room = Math.floor((bytes.byteLength - L.fields.devices) / D.size);
  const devices: VfioPciDependentDevice[] = [];
  for (let i = 0; i < Math.min(count, room); i++) {
    const at = L.fields.devices + i * D.size;
    devices.push({
      group_id: u32(v, at + D.fields.group_id),
      segment: u16(v, at + D.fields.segment),
      bus: v.getUint8(at + D.fields.bus),
      devfn: v.getUint8(at + D.fields.devfn),
    });
  }
  return { argsz: argszFrame(bytes).argsz, flags: u32(v, L.fields.flags), count, devices };
}

/** vfio_pci_hot_reset with the fds of every affected group (or, on 6.6+, none with the device's iommufd) */
export function encodePciHotReset(groupFds: readonly number[], flags = 0): Uint8Array {
  const L = VFIO_PCI_HOT_RESET_LAYOUT;
  const argsz = L.size + groupFds.length * 4;
  const bytes = new Uint8Array(argsz);
  const v = viewOf(bytes);
  setU32(v, L.fields.argsz, argsz);
  setU32(v, L.fields.flags, flags);
  setU32(v, L.fields.count, groupFds.length);
  for (const [i, fd] of groupFds.entries()) v.setInt32(L.fields.group_fds + i * 4, fd, true);
  return bytes;
}
