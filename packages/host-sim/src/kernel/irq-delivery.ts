/**
 * Where a host IRQ lands: the per-CPU side of a /proc/interrupts line.
 *
 * A new IRQ gets the default affinity, every CPU (irq_default_affinity,
 * /proc/irq/default_smp_affinity). On x86 the vector is programmed to a single
 * CPU of that mask — the one with the fewest vectors allocated
 * (arch/x86/kernel/apic/vector.c assign_vector_locked() →
 * irq_matrix_alloc(), kernel/irq/matrix.c matrix_find_best_cpu()) — and every
 * interrupt is counted on that CPU alone; effective_affinity_list shows it.
 * Writing smp_affinity_list (kernel/irq/proc.c write_irq_affinity()) re-picks
 * the target inside the new mask when the old one is outside it, and later
 * interrupts count there.
 */
import { fail } from './fail.ts';
import type { HostIrqLine } from './vfio-pci-irqs.ts';

const OP = 'smp_affinity_list';

/** a fresh line on `target`, with the default affinity (all `cpus`) */
export function newHostIrqLine(irq: number, index: number, vector: number, cpus: number, target: number): HostIrqLine {
  return {
    irq,
    index,
    vector,
    count: 0,
    perCpu: new Array<number>(cpus).fill(0),
    affinity: [...Array(cpus).keys()],
    effective: target,
  };
}

/** the device raised the line `times` times: counted on its effective CPU (handle_edge_irq → kstat_incr_irqs_this_cpu) */
export function deliverIrq(line: HostIrqLine, times: number): void {
  line.count += times;
  line.perCpu[line.effective] = (line.perCpu[line.effective] ?? 0) + times;
}

/**
 * matrix_find_best_cpu(): the CPU of `mask` with the fewest vectors targeted at
 * it (`load[cpu]`), the lowest on a tie.
 */
export function bestCpu(mask: readonly number[], load: readonly number[]): number {
  let best = mask[0]!;
  for (const c of mask) if ((load[c] ?? 0) < (load[best] ?? 0)) best = c;
  return best;
}

/**
 * write_irq_affinity(): validate `cpus` against the host's `online` CPUs
 * (0..online-1) and move the line. ERANGE for a CPU past nr_cpu_ids
 * (bitmap_parselist() on the written list; the sim has no offline-but-possible
 * CPUs, so nr_cpu_ids is the CPU count), EINVAL for an empty list (no online
 * CPU targeted: "at least one online CPU still has to be targeted").
 */
export function setLineAffinity(line: HostIrqLine, cpus: readonly number[], online: number, load: readonly number[]): void {
  const ctx = { field: 'cpus' };
  const past = cpus.find((c) => !Number.isInteger(c) || c < 0 || c >= online);
  if (past !== undefined) fail('ERANGE', OP, `CPU ${past} is past the host's last CPU (${online - 1})`, ctx);
  const mask = [...new Set(cpus)].sort((a, b) => a - b);
  if (mask.length === 0) fail('EINVAL', OP, `IRQ ${line.irq}: the list names no online CPU`, ctx);
  line.affinity = mask;
  // assign_vector_locked(): a target that is online and inside the new mask stays ("no point in moving
  // the interrupt from one CPU to another"); otherwise the least loaded CPU of the mask takes it
  if (!mask.includes(line.effective)) line.effective = bestCpu(mask, load);
}
