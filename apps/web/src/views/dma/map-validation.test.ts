import { describe, expect, it } from 'vitest';
import { checkMap } from './map-validation.ts';

const ranges = [
  { start: '0x0', end: '0xfedfffff' },
  { start: '0xfef00000', end: '0xffffffffffff' },
];
const ok = { iova: '0x100000', size: '2', unit: 'MiB', read: true, write: true };

describe('checkMap', () => {
  it('accepts an aligned request inside a valid range', () => {
    const c = checkMap(ok, 4096, ranges, 'type1');
    expect(c.errors).toEqual({});
    expect(c.iova).toBe(0x100000n);
    expect(c.size).toBe(2n * 1024n * 1024n);
  });

  it('refuses what the kernel would refuse with EINVAL', () => {
    expect(checkMap({ ...ok, iova: '0x100001' }, 4096, ranges, 'type1').errors.iova).toMatch(/^EINVAL: .*not aligned/);
    expect(checkMap({ ...ok, size: '0' }, 4096, ranges, 'type1').errors.size).toMatch(/^EINVAL: size must not be 0/);
    expect(checkMap({ ...ok, size: '100', unit: 'B' }, 4096, ranges, 'type1').errors.size).toMatch(/multiple/);
    expect(checkMap({ ...ok, read: false, write: false }, 4096, ranges, 'type1').errors.flags).toBeDefined();
    expect(checkMap({ ...ok, iova: 'zz' }, 4096, ranges, 'type1').errors.iova).toBeDefined();
  });

  it('refuses the x86 MSI window and IOVA overflow', () => {
    expect(checkMap({ ...ok, iova: '0xfee00000', size: '4', unit: 'KiB' }, 4096, ranges, 'type1').errors.iova).toMatch(/valid IOVA range/);
    expect(checkMap({ ...ok, iova: '0xfffffffffffff000', size: '8', unit: 'KiB' }, 4096, [], 'type1').errors.size).toMatch(
      /^EINVAL: .*wraps past 2\^64/,
    );
    // an IOAS (and iommufd's compat container) answer a wrap with EOVERFLOW: so does the form
    expect(checkMap({ ...ok, iova: '0xfffffffffffff000', size: '8', unit: 'KiB' }, 4096, [], 'iommufd').errors.size).toMatch(
      /^EOVERFLOW: /,
    );
  });

  it('takes fractional sizes only when they come to whole bytes', () => {
    expect(checkMap({ ...ok, size: '1.5' }, 4096, ranges, 'type1').size).toBe(1536n * 1024n);
    expect(checkMap({ ...ok, size: '0.3', unit: 'B' }, 4096, ranges, 'type1').errors.size).toBeDefined();
  });
});
