/**
 * The kernel's CPU list format ("0-3,8,10-11"), as /proc/irq/N/smp_affinity_list
 * and effective_affinity_list print it (bitmap_print_to_pagebuf() with list=true,
 * lib/bitmap-str.c) and as smp_affinity_list accepts it (cpumask_parselist_user()).
 * Both backends, the server and the web's affinity form read and write CPU
 * lists through these two functions, so the format lives once.
 */

/** "0-3,8" → [0, 1, 2, 3, 8] (sorted, unique); null when the text is not a CPU list. An empty text is []. */
export function parseCpuList(text: string): number[] | null {
  const t = text.trim();
  if (t === '') return [];
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    // the kernel refuses a reversed range (bitmap_check_region(): start > end is EINVAL)
    if (hi < lo || hi > 65_535) return null;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** [0, 1, 2, 3, 8] → "0-3,8", the kernel's own spelling (ranges for runs of two or more). */
export function formatCpuList(cpus: readonly number[]): string {
  // lists arrive sorted and unique (the kernel's and parseCpuList's): skip the copy, Set and sort, which
  // for every vector's 128-CPU affinity each tick were the stream's biggest cost at 4,096 vectors
  const sorted = isStrictlyAscending(cpus) ? cpus : [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function isStrictlyAscending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!(xs[i]! > xs[i - 1]!)) return false;
  return true;
}
