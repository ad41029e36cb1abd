/**
 * Builds irq-rates deltas in the protocol's compact form (protocol
 * stream/irq-rates-delta.ts): the rows in the order clients number them, and
 * per tick only the vectors whose figures changed — a count increment where
 * the rate is increment / dt, the rate itself where it is not, per-CPU rates
 * where they do not follow the rate, the whole row when anything else changed.
 * Every vector is checked against the rule the client applies, so the rows a
 * client rebuilds are these rows.
 */
import { type CpuRates, followCpus, type IrqRatesDelta, type VectorRate } from '@vfioscope/protocol';

/** a row's fields that deltas carry as figures; any other field that changed sends the whole row */
const FIGURES = new Set<string>(['count', 'rate', 'cpus']);

/** equal values; objects (a row's owner) field by field, one level deep, else by their JSON — every row, every tick */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    n++;
    if (ra[k] !== rb[k]) return JSON.stringify(a) === JSON.stringify(b);
  }
  for (const _ in rb) n--;
  return n === 0;
}

/** the same vector apart from its figures (owner, source, IRQ number, affinity…) */
function sameBesidesFigures(a: VectorRate, b: VectorRate): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const k in ra) if (!FIGURES.has(k) && !sameValue(ra[k], rb[k])) return false;
  for (const k in rb) if (!FIGURES.has(k) && !(k in ra)) return false;
  return true;
}

function sameCpus(a: CpuRates | undefined, b: CpuRates | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((p, i) => p[0] === b[i]![0] && p[1] === b[i]![1]);
}

/**
 * The seconds most of these vectors' rates are their increment over: candidates from a few
 * vectors (the first, middle and last: one may have restarted its count) — increment / rate,
 * and that rounded to whole milliseconds, as a clock in ms makes the sampler's interval — and
 * the last tick's, whichever fits the most.
 */
function bestDt(pairs: readonly [number, number][], last: number): number {
  const candidates = [last];
  for (const p of [pairs[0], pairs[pairs.length >> 1], pairs.at(-1)]) {
    if (p === undefined) continue;
    const raw = p[0] / p[1];
    candidates.push(Math.round(raw * 1000) / 1000, raw);
  }
  let best = last;
  let bestFits = -1;
  for (const c of new Set(candidates)) {
    if (!(c > 0 && Number.isFinite(c))) continue;
    let fits = 0;
    for (const [inc, rate] of pairs) if (inc / c === rate) fits++;
    if (fits > bestFits) {
      best = c;
      bestFits = fits;
    }
  }
  return best;
}

export class IrqRatesEncoder {
  private current: VectorRate[] = [];
  private dt = 0.1;

  /** the rows in index order (a snapshot's `rates`); a new array after each change, never mutated */
  rows(): VectorRate[] {
    return this.current;
  }

  reset(rows: readonly VectorRate[]): void {
    this.current = [...new Map(rows.map((r) => [r.key, r])).values()];
  }

  /** Take the fresh rows (any order) and return the delta from the last ones; null when nothing changed. */
  next(fresh: readonly VectorRate[], t: number): IrqRatesDelta | null {
    const byKey = new Map(fresh.map((r) => [r.key, r]));
    const remove: number[] = [];
    const kept: VectorRate[] = [];
    this.current.forEach((r, i) => {
      if (byKey.has(r.key)) kept.push(r);
      else remove.push(i);
    });
    const keptKeys = new Set(kept.map((r) => r.key));
    const add = [...byKey.values()].filter((r) => !keptKeys.has(r.key));
    const now = kept.map((r) => byKey.get(r.key)!);

    const rated: [number, number][] = [];
    for (let i = 0; i < kept.length; i++) {
      const inc = now[i]!.count - kept[i]!.count;
      if (inc !== 0 && now[i]!.rate !== 0) rated.push([inc, now[i]!.rate]);
    }
    this.dt = bestDt(rated, this.dt);

    const n: number[] = [];
    const r: number[] = [];
    const cpus: [number, CpuRates | null][] = [];
    const rows: [number, VectorRate][] = [];
    let lastN = -1;
    let lastR = -1;
    for (let i = 0; i < kept.length; i++) {
      const p = kept[i]!;
      const x = now[i]!;
      if (p === x) continue;
      if (!sameBesidesFigures(p, x)) {
        rows.push([i, x]);
        continue;
      }
      const inc = x.count - p.count;
      if (!Number.isSafeInteger(inc) || p.count + inc !== x.count) {
        rows.push([i, x]); // a count that is not a whole number apart travels whole
        continue;
      }
      const touched = inc !== 0 || x.rate !== p.rate;
      if (touched) {
        if (inc !== 0 || x.rate === 0) {
          n.push(i - lastN, inc);
          lastN = i;
        }
        if (inc / this.dt !== x.rate) {
          r.push(i - lastR, x.rate);
          lastR = i;
        }
      }
      const expected = touched ? followCpus(p.cpus, x.rate) : p.cpus;
      if (!sameCpus(expected, x.cpus)) cpus.push([i, x.cpus ?? null]);
    }
    this.current = [...now, ...add];
    if (!remove.length && !add.length && !n.length && !r.length && !cpus.length && !rows.length) return null;
    return {
      t,
      ...(remove.length ? { remove } : {}),
      ...(add.length ? { add } : {}),
      dt: this.dt,
      n,
      ...(r.length ? { r } : {}),
      ...(cpus.length ? { cpus } : {}),
      ...(rows.length ? { rows } : {}),
    };
  }
}
