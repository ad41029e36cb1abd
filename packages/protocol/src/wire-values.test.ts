import { describe, expect, it } from 'vitest';
import { bytesToHex, formatBytes, hexToBytes, parseSizeWithUnit, parseU64, toHex64, U64_MAX } from './wire-values.ts';

describe('64-bit wire values', () => {
  it('parses hex and decimal strings, refusing anything past 2^64-1', () => {
    expect(parseU64('0x1000')).toBe(4096n);
    expect(parseU64('0XFFFFFFFFFFFFFFFF')).toBe(U64_MAX);
    expect(parseU64('4096')).toBe(4096n);
    expect(parseU64('18446744073709551615')).toBe(U64_MAX);
    expect(parseU64('18446744073709551616')).toBeNull();
    expect(parseU64('0x10000000000000000')).toBeNull();
    expect(parseU64('-1')).toBeNull();
    expect(parseU64('4k')).toBeNull();
    expect(parseU64('')).toBeNull();
  });

  it('formats as lowercase 0x hex and refuses negatives', () => {
    expect(toHex64(0xdead_beefn)).toBe('0xdeadbeef');
    expect(toHex64(0)).toBe('0x0');
    expect(() => toHex64(-1n)).toThrow(RangeError);
    expect(() => toHex64(U64_MAX + 1n)).toThrow(RangeError);
  });

  it('round-trips byte strings in memory order', () => {
    expect(Array.from(hexToBytes('de0aFF')!)).toEqual([0xde, 0x0a, 0xff]);
    expect(bytesToHex(new Uint8Array([1, 0xab]))).toBe('01ab');
    expect(hexToBytes('abc')).toBeNull();
    expect(hexToBytes('zz')).toBeNull();
  });

  it('formats byte counts with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes('0x200000')).toBe('2 MiB');
    expect(formatBytes(3n * 1024n ** 3n)).toBe('3 GiB');
  });

  it('parses user-typed sizes with units (UI only)', () => {
    expect(parseSizeWithUnit('2M')).toBe(2n << 20n);
    expect(parseSizeWithUnit('4 KiB')).toBe(4096n);
    expect(parseSizeWithUnit('0x1000')).toBe(4096n);
    expect(parseSizeWithUnit('1.5M')).toBeNull();
  });
});
