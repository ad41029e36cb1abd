/**
 * Did the device come back from its reset? After a reset the PCI core
 * restores the saved config state (pci_restore_state, drivers/pci/pci.c) and
 * carries on whether or not the function answers; a function that did not
 * come back terminates config reads with all-ones. vfio-pci virtualizes the
 * vendor and device id (vfio_pci_config.c, init_pci_cap_basic_perm), so
 * through the device fd they may still read as before while the header type,
 * which it passes through, reads 0xff: 0x7f (127) in its low seven bits.
 * Either sign means the device is gone — the commonest reset failure of GPU
 * passthrough; the host usually needs a power cycle or a bus rescan.
 */
import type { Bdf, Device } from '@vfioscope/host';
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import type { ResetVerification } from './session-types.ts';

const PCI_HEADER_TYPE = 0x0e;
const PCI_HEADER_TYPE_MASK = 0x7f;

export async function verifyReset(device: Device, how: ResetVerification['how'], ts: number): Promise<ResetVerification> {
  const b = await device.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, 16);
  const vendorId = (b[0] ?? 0xff) | ((b[1] ?? 0xff) << 8);
  const deviceId = (b[2] ?? 0xff) | ((b[3] ?? 0xff) << 8);
  const headerType = b[PCI_HEADER_TYPE] ?? 0xff;
  const cameBack = vendorId !== 0xffff && (headerType & PCI_HEADER_TYPE_MASK) !== PCI_HEADER_TYPE_MASK;
  return {
    bdf: device.name,
    how,
    ts,
    vendorId,
    deviceId,
    headerType,
    cameBack,
    summary: summary(device.name, vendorId, deviceId, headerType, cameBack),
  };
}

function summary(bdf: Bdf, vendorId: number, deviceId: number, headerType: number, cameBack: boolean): string {
  const hex = (v: number, w: number) => `0x${v.toString(16).padStart(w, '0')}`;
  const seen = `vendor ${hex(vendorId, 4)}, device ${hex(deviceId, 4)}, header type ${hex(headerType, 2)}`;
  return cameBack
    ? `${bdf} came back from the reset (${seen})`
    : `${bdf} did not come back from the reset: config space reads all-ones (${seen}); the device needs a power cycle or a remove and rescan of its bus`;
}
