/** Number formatting for an operator console: binary sizes, rates, hex addresses. */

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** the binary unit a byte count reads best in: its index in B, KiB, MiB, … */
function binaryUnitOf(n: number): number {
  let i = 0;
  while (Math.abs(n) >= 1024 ** (i + 1) && i < BINARY_UNITS.length - 1) i++;
  return i;
}

/** the binary unit a byte count reads best in: { size: 1048576, name: 'MiB' } */
export function binaryUnit(n: number): { size: number; name: string } {
  const i = binaryUnitOf(n);
  return { size: 1024 ** i, name: BINARY_UNITS[i]! };
}

/** a value in a binary unit: whole when it is, else three significant digits */
function inUnit(n: number, i: number): string {
  const v = n / 1024 ** i;
  return v.toFixed(i === 0 || v >= 100 || Number.isInteger(v) ? 0 : v >= 10 ? 1 : 2);
}

export function formatBytes(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  const i = binaryUnitOf(v);
  return `${inUnit(v, i)} ${BINARY_UNITS[i]}`;
}

/** "32 / 33 GiB": used against a limit in the larger one's unit, so they compare at a glance */
export function formatBytesOf(used: number, limit: number): string {
  const i = binaryUnitOf(Math.max(used, limit));
  return `${inUnit(used, i)} / ${inUnit(limit, i)} ${BINARY_UNITS[i]}`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(perSecond >= 10 ? 0 : 1)}/s`;
}

/** one formatter for every count: toLocaleString builds a new one per call, ~1/3 ms each — seconds a minute on the interrupts view */
const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT.format(n);
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

/** whole percent of a limit, "<1 %" for a sliver; null without a limit */
export function percentLabel(used: number, limit: number | null): string | null {
  const pct = percent(used, limit);
  if (pct === null) return null;
  if (pct > 0 && pct < 1) return '<1 %';
  return `${Math.round(pct)} %`;
}

export function formatTime(ms: number): string {
  return `${formatClock(ms)}.${String(new Date(ms).getMilliseconds()).padStart(3, '0')}`;
}

/** a span of time as an operator says it: "45 s", "3 min 05 s", "2 h 10 min" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * One formatter, made once: toLocaleTimeString with options builds a new Intl formatter on every call (~0.1–1 ms),
 * and the storm banner and the alert rows format clocks on every render (~1.5 % of a core on the interrupts view).
 * These options are toLocaleTimeString's defaults for a time.
 */
const CLOCK = new Intl.DateTimeFormat('en-GB', { hour12: false, hour: 'numeric', minute: 'numeric', second: 'numeric' });

/** wall-clock time of day, to the second: "03:16:42" */
export function formatClock(ms: number): string {
  return CLOCK.format(ms);
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
