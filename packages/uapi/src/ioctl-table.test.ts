import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_GET_IRQ_INFO, VFIO_IOMMU_MAP_DMA, VFIO_DEVICE_PCI_HOT_RESET, VFIO_GET_API_VERSION } from './ioctl.ts';
import { IOMMU_DESTROY, IOMMU_FAULT_QUEUE_ALLOC, IOMMU_IOAS_MAP, VFIO_DEVICE_BIND_IOMMUFD } from './ioctl-iommufd.ts';
import { decodeIoctl, parseIoctlNumber } from './ioctl-decode.ts';
import { formatDecodedIoctl, formatIoctlTable, ioctlTableJson } from './ioctl-format.ts';
import { VFIO_IOCTL_TABLE } from './ioctl-table.ts';

describe('VFIO ioctl numbers', () => {
  it("are _IO(';', 100 + n)", () => {
    expect(VFIO_GET_API_VERSION).toBe(0x3b64);
    expect(VFIO_DEVICE_GET_IRQ_INFO).toBe(0x3b6d);
    expect(VFIO_IOMMU_MAP_DMA).toBe(0x3b71);
  });

  it("iommufd's are _IO(';', 0x80 + n), the cdev's VFIO_BASE + 18..20", () => {
    expect(IOMMU_DESTROY).toBe(0x3b80);
    expect(IOMMU_IOAS_MAP).toBe(0x3b85);
    expect(IOMMU_FAULT_QUEUE_ALLOC).toBe(0x3b8e);
    expect(VFIO_DEVICE_BIND_IOMMUFD).toBe(0x3b76);
  });
});

describe('the ioctl table', () => {
  it('lists every VFIO and iommufd ioctl once, each with direction none', () => {
    const names = VFIO_IOCTL_TABLE.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(48);
    expect(names.filter((n) => n.startsWith('IOMMU_'))).toHaveLength(15);
    expect(VFIO_IOCTL_TABLE.every((e) => e.dir === 'none')).toBe(true);
  });

  it('puts iommufd ioctls on the /dev/iommu fd and the cdev ioctls on the device fd', () => {
    const byName = new Map(VFIO_IOCTL_TABLE.map((e) => [e.name, e]));
    expect(byName.get('IOMMU_IOAS_MAP')).toMatchObject({ fd: 'iommufd', argName: 'struct iommu_ioas_map', size: 40 });
    expect(byName.get('IOMMU_IOAS_IOVA_RANGES')).toMatchObject({ fd: 'iommufd', argName: 'struct iommu_ioas_iova_ranges', size: 32 });
    expect(byName.get('IOMMU_GET_HW_INFO')).toMatchObject({ fd: 'iommufd', argName: 'struct iommu_hw_info', size: 40 });
    expect(byName.get('VFIO_DEVICE_BIND_IOMMUFD')).toMatchObject({ fd: 'device', argName: 'struct vfio_device_bind_iommufd', size: 16 });
    expect(byName.get('VFIO_DEVICE_DETACH_IOMMUFD_PT')).toMatchObject({ fd: 'device', size: 8 });
    expect(VFIO_IOCTL_TABLE.filter((e) => e.fd === 'iommufd').every((e) => e.name.startsWith('IOMMU_'))).toBe(true);
  });

  it('gives the struct and its size', () => {
    const setIrqs = VFIO_IOCTL_TABLE.find((e) => e.name === 'VFIO_DEVICE_SET_IRQS')!;
    expect(setIrqs).toMatchObject({ fd: 'device', argName: 'struct vfio_irq_set', size: 20 });
    const getFd = VFIO_IOCTL_TABLE.find((e) => e.name === 'VFIO_GROUP_GET_DEVICE_FD')!;
    expect(getFd).toMatchObject({ fd: 'group', argName: 'char *', size: null });
  });

  it('is ordered by number', () => {
    const numbers = VFIO_IOCTL_TABLE.map((e) => e.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});

describe('decodeIoctl', () => {
  it('names a VFIO number', () => {
    const d = decodeIoctl(0x3b6d);
    expect(d.name).toBe('VFIO_DEVICE_GET_IRQ_INFO');
    expect(d).toMatchObject({ hex: '0x3b6d', dir: 'none', type: 0x3b, nr: 109, size: 0 });
  });

  it('names every ioctl sharing a number, container first', () => {
    const d = decodeIoctl(VFIO_DEVICE_PCI_HOT_RESET);
    expect(d.matches.map((m) => [m.name, m.fd])).toEqual([
      ['VFIO_IOMMU_MAP_DMA', 'container'],
      ['VFIO_DEVICE_PCI_HOT_RESET', 'device'],
    ]);
    expect(d.name).toBe('VFIO_IOMMU_MAP_DMA | VFIO_DEVICE_PCI_HOT_RESET');
  });

  it('names an iommufd number', () => {
    const d = decodeIoctl(0x3b85);
    expect(d.name).toBe('IOMMU_IOAS_MAP');
    expect(d).toMatchObject({ dir: 'none', type: 0x3b, nr: 0x85, size: 0 });
    expect(d.matches.map((m) => m.fd)).toEqual(['iommufd']);
  });

  it('names a cdev ioctl next to the SPAPR container ioctl sharing its number', () => {
    expect(decodeIoctl(0x3b76).name).toBe('VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY | VFIO_DEVICE_BIND_IOMMUFD');
    expect(decodeIoctl(0x3b77).name).toBe('VFIO_IOMMU_SPAPR_TCE_CREATE | VFIO_DEVICE_ATTACH_IOMMUFD_PT');
    expect(decodeIoctl(0x3b78).name).toBe('VFIO_IOMMU_SPAPR_TCE_REMOVE | VFIO_DEVICE_DETACH_IOMMUFD_PT');
  });

  it('decodes other numbers generically', () => {
    expect(decodeIoctl(0x802c542a)).toMatchObject({ name: "_IOR('T', 0x2a, 44)", matches: [] });
    expect(decodeIoctl(0xaf01).name).toBe('_IO(0xaf, 0x1)');
    expect(decodeIoctl(0x3b63).name).toBe("_IO(';', 0x63)");
    expect(decodeIoctl(0x3b8f).name).toBe("_IO(';', 0x8f)");
  });
});

describe('parseIoctlNumber', () => {
  it('accepts hex and decimal', () => {
    expect(parseIoctlNumber('0x3b6d')).toBe(0x3b6d);
    expect(parseIoctlNumber('0X3B6D')).toBe(0x3b6d);
    expect(parseIoctlNumber('15213')).toBe(15213);
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'x3b', '0x', '-1', '1e3', '0x100000000', 'VFIO_SET_IOMMU']) expect(parseIoctlNumber(bad)).toBeNull();
  });
});

describe('formatting', () => {
  it('prints aligned columns, one line per ioctl', () => {
    const lines = formatIoctlTable().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NUMBER\s+FD\s+DIR\s+ARGUMENT\s+SIZE$/);
    const mapLine = lines.find((l) => l.startsWith('VFIO_IOMMU_MAP_DMA '))!;
    expect(mapLine).toMatch(/^VFIO_IOMMU_MAP_DMA\s+0x3b71\s+container\s+none\s+struct vfio_iommu_type1_dma_map\s+32$/);
    expect(lines[0]!.indexOf('NUMBER')).toBe(mapLine.indexOf('0x3b71'));
  });

  it('gives JSON rows with number, hex, struct and size', () => {
    const json = ioctlTableJson();
    expect(json).toHaveLength(VFIO_IOCTL_TABLE.length);
    expect(json.find((r) => r.name === 'VFIO_IOMMU_UNMAP_DMA')).toEqual({
      name: 'VFIO_IOMMU_UNMAP_DMA',
      number: 0x3b72,
      hex: '0x3b72',
      fd: 'container',
      dir: 'none',
      arg: 'struct vfio_iommu_type1_dma_unmap',
      size: 24,
      summary: expect.any(String),
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('lists the iommufd ioctls in the text table and the JSON', () => {
    const line = formatIoctlTable()
      .split('\n')
      .find((l) => l.startsWith('IOMMU_IOAS_UNMAP '))!;
    expect(line).toMatch(/^IOMMU_IOAS_UNMAP\s+0x3b86\s+iommufd\s+none\s+struct iommu_ioas_unmap\s+24$/);
    expect(ioctlTableJson().find((r) => r.name === 'IOMMU_IOAS_ALLOC')).toEqual({
      name: 'IOMMU_IOAS_ALLOC',
      number: 0x3b81,
      hex: '0x3b81',
      fd: 'iommufd',
      dir: 'none',
      arg: 'struct iommu_ioas_alloc',
      size: 12,
      summary: expect.any(String),
    });
  });

  it('formats a decoded iommufd number', () => {
    expect(formatDecodedIoctl(decodeIoctl(15237))).toContain('0x3b85 (15237): IOMMU_IOAS_MAP');
    expect(formatDecodedIoctl(decodeIoctl(0x3b8a))).toContain('on an iommufd fd: IOMMU_GET_HW_INFO(struct iommu_hw_info, 40 bytes)');
  });

  it('formats a decoded number with its fd kinds', () => {
    const text = formatDecodedIoctl(decodeIoctl(0x3b71));
    expect(text).toContain('0x3b71 (15217): VFIO_IOMMU_MAP_DMA | VFIO_DEVICE_PCI_HOT_RESET');
    expect(text).toContain('on a container fd: VFIO_IOMMU_MAP_DMA(struct vfio_iommu_type1_dma_map, 32 bytes)');
  });
});
