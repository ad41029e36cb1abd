/** How old the data on screen is, for the offline notice: "as of 03:16:42, 40 s ago". */

const pad = (n: number) => String(n).padStart(2, '0');

/** wall-clock time as the operator's terminal shows it (24 h, seconds) */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "40 s ago", "3 min 5 s ago", "2 h 4 min ago": the seconds stay while they are worth reading */
export function age(ms: number, now: number): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s ago`;
  return `${Math.floor(m / 60)} h ${m % 60} min ago`;
}
