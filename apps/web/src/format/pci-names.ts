/**
 * Human names for PCI vendors and class codes when the backend gives none:
 * a short table of the vendors an operator meets on passthrough hosts, and
 * the PCI SIG base classes (PCI Code and ID Assignment spec).
 */
const VENDORS: Record<number, string> = {
  0x1002: 'AMD/ATI',
  0x1022: 'AMD',
  0x10de: 'NVIDIA',
  0x8086: 'Intel',
  0x15b3: 'Mellanox',
  0x14e4: 'Broadcom',
  0x144d: 'Samsung',
  0x1b36: 'Red Hat (QEMU)',
  0x1af4: 'Red Hat (virtio)',
  0x1234: 'QEMU',
  0x10ec: 'Realtek',
  0x1c5c: 'SK hynix',
  0x1987: 'Phison',
  0x19e5: 'Huawei',
  0x1077: 'QLogic',
  0x1924: 'Solarflare',
  0x8088: 'Wangxun',
  0x1d0f: 'Amazon',
  0x1ae0: 'Google',
  0x1000: 'Broadcom/LSI',
  0x9005: 'Microchip/Adaptec',
  0x1b4b: 'Marvell',
  0x1c58: 'WDC',
  0x15ad: 'VMware',
};

const LEGAL_SUFFIX = /,? (Corporation|Corp\.?|Co\.?,? Ltd\.?|Technologies|Technology|Inc\.?|Limited|Ltd\.?|Electronics)\b\.?/gi;

/** The vendor's name without legal suffixes ("NVIDIA Corporation" → "NVIDIA"), for dense lists. */
export function vendorName(id: number, given?: string | null): string {
  const name = given ?? VENDORS[id] ?? `vendor ${id.toString(16).padStart(4, '0')}`;
  return name.replace(LEGAL_SUFFIX, '').replace(/,\s*$/, '').trim();
}

const CLASSES: Record<number, string> = {
  0x00: 'Unclassified',
  0x01: 'Storage',
  0x02: 'Network',
  0x03: 'Display',
  0x04: 'Multimedia',
  0x05: 'Memory',
  0x06: 'Bridge',
  0x07: 'Communication',
  0x08: 'System',
  0x09: 'Input',
  0x0a: 'Docking',
  0x0b: 'Processor',
  0x0c: 'Serial bus',
  0x0d: 'Wireless',
  0x0e: 'Intelligent I/O',
  0x0f: 'Satellite',
  0x10: 'Encryption',
  0x11: 'Signal processing',
  0x12: 'Accelerator',
  0xff: 'Unassigned',
};

const SUBCLASSES: Record<number, string> = {
  0x0106: 'SATA',
  0x0108: 'NVMe',
  0x0200: 'Ethernet',
  0x0207: 'InfiniBand',
  0x0300: 'VGA',
  0x0302: '3D',
  0x0403: 'Audio',
  0x0600: 'Host bridge',
  0x0604: 'PCI bridge',
  0x0c03: 'USB',
  0x00ff: 'Test device',
};

/** classCode is 24-bit: base << 16 | sub << 8 | prog-if */
export function className(classCode: number): string {
  const base = (classCode >> 16) & 0xff;
  const sub = (classCode >> 8) & 0xffff;
  return SUBCLASSES[sub] ?? CLASSES[base] ?? `class ${classCode.toString(16).padStart(6, '0')}`;
}

/** A device as a person names it: vendor and model ("NVIDIA GA102GL [RTX A6000]"), the class when the model is unknown. */
export function deviceLabel(d: {
  vendorId: number;
  classCode: number;
  vendorName?: string | undefined;
  deviceName?: string | undefined;
}): string {
  return `${vendorName(d.vendorId, d.vendorName)} ${d.deviceName ?? className(d.classCode)}`;
}

export function idPair(vendorId: number, deviceId: number): string {
  return `${vendorId.toString(16).padStart(4, '0')}:${deviceId.toString(16).padStart(4, '0')}`;
}
