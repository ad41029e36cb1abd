import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, parseAddress, parseSize } from './units.ts';
import { className, vendorName } from './pci-names.ts';

describe('units', () => {
  it('formats binary sizes and rates', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(64n * 1024n ** 3n)).toBe('64 GiB');
    expect(formatRate(121_000)).toBe('121.0k/s');
    expect(formatRate(8.5)).toBe('8.5/s');
  });

  it('parses sizes with units and addresses', () => {
    expect(parseSize('2', 'MiB')).toBe(2n << 20n);
    expect(parseSize('0x1000', 'B')).toBe(4096n);
    expect(parseSize('-1', 'B')).toBeNull();
    expect(parseAddress('0xfee00000')).toBe(0xfee00000n);
    expect(parseAddress('1_000')).toBe(1000n);
    expect(parseAddress('0xg')).toBeNull();
  });

  it('names vendors and classes', () => {
    expect(vendorName(0x10de, 'NVIDIA Corporation')).toBe('NVIDIA');
    expect(vendorName(0x144d, 'Samsung Electronics Co Ltd')).toBe('Samsung');
    expect(vendorName(0x8086)).toBe('Intel');
    expect(className(0x010802)).toBe('NVMe');
    expect(className(0x030000)).toBe('VGA');
  });
});
