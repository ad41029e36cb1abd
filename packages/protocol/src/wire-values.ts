/**
 * Pure helpers for the wire's value conventions (see primitives.ts): parse
 * and format 64-bit strings, byte strings, byte counts. No Node APIs: the web
 * app uses these too.
 */
export const U64_MAX = (1n << 64n) - 1n;

/** Parse a "0x…" hex or decimal string as an unsigned 64-bit value; null when it is not one. */
export function parseU64(s: string): bigint | null {
  if (!/^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(s)) return null;
  const v = BigInt(s);
  return v > U64_MAX ? null : v;
}

/** A 64-bit value as the server sends it: lowercase "0x…" hex. */
export function toHex64(v: bigint | number): string {
  const b = typeof v === 'number' ? BigInt(v) : v;
  if (b < 0n || b > U64_MAX) throw new RangeError(`value ${b} is not an unsigned 64-bit integer`);
  return `0x${b.toString(16)}`;
}

/** Hex pairs in memory order → bytes; null when the string is not whole hex pairs. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** 1536 → "1.5 KiB"; accepts numbers, bigints and the wire's hex strings. */
export function formatBytes(v: number | bigint | string): string {
  let n: number;
  if (typeof v === 'string') {
    const b = parseU64(v);
    if (b === null) return v;
    n = Number(b);
  } else {
    n = Number(v);
  }
  if (!Number.isFinite(n) || n < 0) return String(v);
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  const digits = u === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 2;
  return `${Number(n.toFixed(digits))} ${UNITS[u]}`;
}

/** Parse a size a user typed with an optional binary unit ("2M", "4 KiB", "0x1000") → bytes; null if invalid. For UIs; the wire itself never carries units. */
export function parseSizeWithUnit(input: string): bigint | null {
  const m = /^\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*([kKmMgGtT])?(i?[bB])?\s*$/.exec(input);
  if (!m) return null;
  const base = parseU64(m[1]!);
  if (base === null) return null;
  const shift = { k: 10n, m: 20n, g: 30n, t: 40n }[(m[2] ?? '').toLowerCase() as 'k'] ?? 0n;
  const v = base << shift;
  return v > U64_MAX ? null : v;
}
