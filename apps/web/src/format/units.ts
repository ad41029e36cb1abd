/** Number formatting for an operator console: binary sizes, rates, hex addresses. */

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return '—';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 || Number.isInteger(v) ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${BINARY_UNITS[i]}`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(perSecond >= 10 ? 0 : 1)}/s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "0x" + hex, optionally zero-padded to `width` digits. Accepts a hex string as the wire carries it. */
export function hex(v: number | bigint | string, width = 0): string {
  const big = typeof v === 'string' ? BigInt(v.startsWith('0x') ? v : `0x${v}`) : BigInt(v);
  return `0x${big.toString(16).padStart(width, '0')}`;
}

export function percent(used: number, limit: number | null): number | null {
  if (limit === null || limit <= 0) return null;
  return Math.min(100, (used / limit) * 100);
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function formatAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

const SIZE_UNITS: Record<string, bigint> = { B: 1n, KiB: 1n << 10n, MiB: 1n << 20n, GiB: 1n << 30n };
export const SIZE_UNIT_NAMES = Object.keys(SIZE_UNITS);

/** Parses "4096", "0x1000" or "1.5" with a unit into bytes; null when not a number. */
export function parseSize(text: string, unit: string): bigint | null {
  const t = text.trim();
  const mult = SIZE_UNITS[unit];
  if (t === '' || mult === undefined) return null;
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t) * mult;
  if (/^\d*\.\d+$/.test(t)) {
    const [whole, frac] = t.split('.') as [string, string];
    const scale = 10n ** BigInt(frac.length);
    const value = (BigInt(whole || '0') * scale + BigInt(frac)) * mult;
    return value % scale === 0n ? value / scale : null;
  }
  return null;
}

/** Parses an address: "0x…" hex, or decimal digits. */
export function parseAddress(text: string): bigint | null {
  const t = text.trim().replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t);
  return null;
}
