import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_GET_IRQ_INFO, VFIO_IOMMU_MAP_DMA, VFIO_DEVICE_PCI_HOT_RESET, VFIO_GET_API_VERSION } from './ioctl.ts';
import { decodeIoctl, parseIoctlNumber } from './ioctl-decode.ts';
import { formatDecodedIoctl, formatIoctlTable, ioctlTableJson } from './ioctl-format.ts';
import { VFIO_IOCTL_TABLE } from './ioctl-table.ts';

describe('VFIO ioctl numbers', () => {
  it("are _IO(';', 100 + n)", () => {
    expect(VFIO_GET_API_VERSION).toBe(0x3b64);
    expect(VFIO_DEVICE_GET_IRQ_INFO).toBe(0x3b6d);
    expect(VFIO_IOMMU_MAP_DMA).toBe(0x3b71);
  });
});

describe('the ioctl table', () => {
  it('lists every VFIO ioctl once, each with direction none', () => {
    const names = VFIO_IOCTL_TABLE.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(30);
    expect(VFIO_IOCTL_TABLE.every((e) => e.dir === 'none')).toBe(true);
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

  it('decodes other numbers generically', () => {
    expect(decodeIoctl(0x802c542a)).toMatchObject({ name: "_IOR('T', 0x2a, 44)", matches: [] });
    expect(decodeIoctl(0xaf01).name).toBe('_IO(0xaf, 0x1)');
    expect(decodeIoctl(0x3b63).name).toBe("_IO(';', 0x63)");
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

  it('formats a decoded number with its fd kinds', () => {
    const text = formatDecodedIoctl(decodeIoctl(0x3b71));
    expect(text).toContain('0x3b71 (15217): VFIO_IOMMU_MAP_DMA | VFIO_DEVICE_PCI_HOT_RESET');
    expect(text).toContain('on a container fd: VFIO_IOMMU_MAP_DMA(struct vfio_iommu_type1_dma_map, 32 bytes)');
  });
});
