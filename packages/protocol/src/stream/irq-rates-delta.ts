/**
 * The irq-rates delta: what changed in the host's vector rates since the last
 * tick, in a few bytes per vector. A client holds the rows in index order —
 * the snapshot's `rates` order, rows added later appended — and a delta names
 * a vector by that index, not by its key.
 *
 * Rates travel exact, not rounded to what the UI shows: the UI also shows sums
 * of rates (a device's or a VM's vectors, the host's total), and a device of
 * 16 vectors at 19.8/s each reads 317/s where rows rounded to the shown 20/s
 * read 320/s. They stay small because the sampler's rule (telemetry
 * irq-rate-sampler.ts: a vector's rate is the count it gained over the
 * seconds since the last sample) lets a delta name those seconds once (`dt`)
 * and give each vector its count increment only: rate = increment / dt,
 * IEEE division, the same double on every end. A vector whose rate does not
 * follow (its first sight, a count that restarted, a /proc poll at another
 * interval) carries its rate in `r`; per-CPU rates likewise (`cpus`); any
 * other field that changed (owner, IRQ number, affinity) sends the whole
 * row (`rows`). The server checks each vector against these rules before it
 * leaves (its irq-rates-encoder.ts), so the rows a client rebuilds
 * (applyIrqRatesDelta) are the server's, field for field.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../primitives.ts';
import { CpuRates, VectorRate } from '../rest/telemetry.ts';

const Index = Type.Integer({ minimum: 0, description: "a row's index in the client's rows" });

export const IrqRatesDelta = Type.Object({
  t: Timestamp,
  /** indexes (before this delta) of vectors gone; the rows left keep their order and are numbered again from 0 */
  remove: Type.Optional(Type.Array(Index)),
  /** new vectors, whole, appended in this order after the rows left: they take the next indexes */
  add: Type.Optional(Type.Array(VectorRate)),
  /** seconds the increments in `n` accrued over: a vector listed there has rate = increment / dt */
  dt: Type.Number({ exclusiveMinimum: 0 }),
  /**
   * Vectors whose count or rate changed, as flat pairs [step, increment, step, increment, …]: the
   * first vector's index is its step − 1, each next one's the previous index + step (steps ≥ 1), so
   * a host where every vector fires costs "1," per index. Count += increment, rate = increment / dt.
   */
  n: Type.Array(Type.Integer()),
  /** rates that do not follow increment / dt, as flat pairs [step, rate, …] numbered like `n`; applied after it */
  r: Type.Optional(Type.Array(Type.Number())),
  /**
   * Per-CPU rates that do not follow the rate (see followCpus): [index, pairs], or [index, null]
   * for none; applied after `n` and `r`.
   */
  cpus: Type.Optional(Type.Array(Type.Tuple([Index, Type.Union([CpuRates, Type.Null()])]))),
  /** vectors any other field of changed (owner, source, IRQ number, affinity), whole: [index, row], applied last */
  rows: Type.Optional(Type.Array(Type.Tuple([Index, VectorRate]))),
});
export type IrqRatesDelta = Static<typeof IrqRatesDelta>;

/**
 * The per-CPU rates of a vector whose rate changed, when the delta does not name them:
 * a vector that ran on one CPU (x86 delivers to one) stays there at its new rate; a
 * rate of 0 has none (VectorRate.cpus's rule); several CPUs stay as they were.
 */
export function followCpus(cpus: CpuRates | undefined, rate: number): CpuRates | undefined {
  if (!(rate > 0)) return undefined;
  if (cpus?.length === 1) return [[cpus[0]![0], rate]];
  return cpus;
}

/** A row with new figures; `cpus` left off the object when undefined, as the server writes rows. */
function withFigures(row: VectorRate, count: number, rate: number, cpus: CpuRates | undefined): VectorRate {
  const { cpus: _old, ...rest } = row;
  return cpus === undefined ? { ...rest, count, rate } : { ...rest, count, rate, cpus };
}

/**
 * Calls fn(index, value) for each pair of [step, value, …] (`n` and `r`'s numbering); false, having stopped,
 * at the first that does not fit: an odd list, a step below 1 or an index ≥ size.
 */
export function forEachSteppedPair(flat: readonly number[] | undefined, size: number, fn: (index: number, value: number) => void): boolean {
  if (flat === undefined) return true;
  if (flat.length % 2 !== 0) return false;
  let index = -1;
  for (let i = 0; i < flat.length; i += 2) {
    const step = flat[i]!;
    if (!Number.isInteger(step) || step < 1) return false;
    index += step;
    if (index >= size) return false;
    fn(index, flat[i + 1]!);
  }
  return true;
}

/** [step, value, …] → [index, value][]; null when it does not fit (forEachSteppedPair) */
export function steppedPairs(flat: readonly number[] | undefined, size: number): [number, number][] | null {
  const out: [number, number][] = [];
  return forEachSteppedPair(flat, size, (index, value) => out.push([index, value])) ? out : null;
}

/**
 * The rows after a delta, in index order: rows the delta does not touch keep their
 * identity. Null when the delta does not fit these rows (an index past the end, a
 * malformed pair list, a whole row under another key): the client then needs a snapshot.
 */
export function applyIrqRatesDelta(rows: readonly VectorRate[], d: IrqRatesDelta): VectorRate[] | null {
  let next: VectorRate[] = rows.slice();
  if (d.remove?.length) {
    const gone = new Set(d.remove);
    if (gone.size !== d.remove.length || d.remove.some((i) => i >= rows.length)) return null;
    next = next.filter((_, i) => !gone.has(i));
  }
  if (d.add?.length) next.push(...d.add);
  const counted = steppedPairs(d.n, next.length);
  const rated = steppedPairs(d.r, next.length);
  if (counted === null || rated === null) return null;
  // per touched index: its new count and rate, then its per-CPU rates follow from the final rate
  const figures = new Map<number, { count: number; rate: number }>();
  for (const [i, inc] of counted) figures.set(i, { count: next[i]!.count + inc, rate: inc / d.dt });
  for (const [i, rate] of rated) figures.set(i, { count: figures.get(i)?.count ?? next[i]!.count, rate });
  for (const [i, f] of figures) next[i] = withFigures(next[i]!, f.count, f.rate, followCpus(next[i]!.cpus, f.rate));
  for (const [i, cpus] of d.cpus ?? []) {
    if (i >= next.length) return null;
    next[i] = withFigures(next[i]!, next[i]!.count, next[i]!.rate, cpus ?? undefined);
  }
  for (const [i, row] of d.rows ?? []) {
    if (i >= next.length || next[i]!.key !== row.key) return null;
    next[i] = row;
  }
  return next;
}
