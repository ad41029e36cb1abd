/**
 * Human names for the PCI ids vfioscope meets most (the test bed's QEMU
 * devices, common passthrough vendors). Without pciutils' pci.ids on a host
 * this small table is what the UI shows next to the numeric ids.
 */
const VENDORS: Record<number, string> = {
  0x1002: 'AMD/ATI',
  0x1022: 'AMD',
  0x10de: 'NVIDIA',
  0x1234: 'QEMU (Bochs)',
  0x144d: 'Samsung',
  0x15b3: 'Mellanox',
  0x1af4: 'Red Hat (virtio)',
  0x1b36: 'Red Hat (QEMU)',
  0x8086: 'Intel',
};

const DEVICES: Record<string, string> = {
  '1234:11e8': 'QEMU edu test device',
  '1234:1111': 'QEMU standard VGA',
  '1b36:0001': 'QEMU PCI-PCI bridge',
  '1b36:000e': 'QEMU PCIe-to-PCI bridge',
  '1b36:000c': 'QEMU PCIe root port',
  '1af4:1009': 'virtio 9p transport',
  '1af4:1000': 'virtio network (legacy)',
  '1af4:1041': 'virtio network',
  '8086:100e': '82540EM Gigabit Ethernet (e1000)',
  '8086:10d3': '82574L Gigabit Network (e1000e)',
  '8086:29c0': '82G33/G31/P35/P31 DRAM Controller (q35 host bridge)',
  '8086:2918': '82801IB ICH9 LPC',
  '8086:2922': '82801IR ICH9 AHCI',
  '8086:2930': '82801I ICH9 SMBus',
};

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export function pciNames(vendorId: number, deviceId: number): { vendorName?: string; deviceName?: string } {
  const vendorName = VENDORS[vendorId];
  const deviceName = DEVICES[`${hex4(vendorId)}:${hex4(deviceId)}`];
  return { ...(vendorName ? { vendorName } : {}), ...(deviceName ? { deviceName } : {}) };
}
