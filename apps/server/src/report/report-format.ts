/** How a report writes times, durations, rates and owners (text; report-html.ts escapes it). */
import type { ProcessRef } from '@vfioscope/protocol';

/** "2026-12-03 06:41:07 UTC" */
export function utc(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2 h 3 min", "4 min 12 s", "12.5 s" */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${+s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "123 456 /s": whole interrupts per second, thousands spaced (locale-free, so reports read alike everywhere) */
export function rate(v: number): string {
  return `${String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009')} /s`;
}

/** "VM win11 (qemu-system-x86, pid 4242)", "dpdk-testpmd (pid 77)", or who holds nothing */
export function owner(o: ProcessRef | null): string {
  if (o === null) return 'no process holds it (or none was seen)';
  return o.vm ? `VM ${o.vm} (${o.comm}, pid ${o.pid})` : `${o.comm} (pid ${o.pid})`;
}

/** bytes as MiB/GiB, or "unlimited" */
export function bytes(v: number | null): string {
  if (v === null) return 'unlimited';
  if (v >= 2 ** 30) return `${+(v / 2 ** 30).toFixed(1)} GiB`;
  if (v >= 2 ** 20) return `${+(v / 2 ** 20).toFixed(1)} MiB`;
  return `${v} bytes`;
}

/** A download's file name: only letters, digits, dot, dash and underscore. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);
}
