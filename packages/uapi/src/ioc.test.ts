import { describe, expect, it } from 'vitest';
import { _IO, _IOC_DIR, _IOC_NR, _IOC_SIZE, _IOC_TYPE, _IOR, _IOW, _IOWR, iocDecode } from './ioc.ts';

describe('generic _IOC encoding', () => {
  it("encodes like asm-generic/ioctl.h (TCGETS2 = _IOR('T', 0x2A, struct termios2))", () => {
    expect(_IOR(0x54, 0x2a, 44)).toBe(0x802c542a);
  });

  it('keeps numbers with the top bit set unsigned', () => {
    const n = _IOWR(0x3b, 0x01, 16);
    expect(n).toBe(0xc0103b01);
    expect(n).toBeGreaterThan(0);
  });

  it('decodes what it encodes', () => {
    const n = _IOW(0xaf, 0x46, 24);
    expect([_IOC_DIR(n), _IOC_TYPE(n), _IOC_NR(n), _IOC_SIZE(n)]).toEqual([1, 0xaf, 0x46, 24]);
    expect(iocDecode(n)).toEqual({ dir: 'write', type: 0xaf, nr: 0x46, size: 24 });
    expect(iocDecode(_IO(0x3b, 100))).toEqual({ dir: 'none', type: 0x3b, nr: 100, size: 0 });
    expect(iocDecode(0xc0105500).dir).toBe('readwrite');
  });

  it('refuses sizes over 14 bits and non-32-bit numbers', () => {
    expect(() => _IOR(0x3b, 0, 0x4000)).toThrow(RangeError);
    expect(() => iocDecode(2 ** 32)).toThrow(RangeError);
    expect(() => iocDecode(-1)).toThrow(RangeError);
  });
});
