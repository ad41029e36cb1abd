/**
 * A vector's per-CPU heat strip, as data: one cell per CPU with the share of
 * the vector's interrupts that CPU took in the last tick, whether the
 * affinity allows it (smp_affinity_list) and whether it is the CPU the
 * interrupt is programmed to (effective_affinity_list; one CPU on x86). The
 * wire sends per-CPU rates only for CPUs above zero (VectorRate.cpus), so an
 * absent CPU is a CPU that took none.
 */
import { parseCpuList, type VectorRate } from '@vfioscope/protocol';

export interface HeatCell {
  cpu: number;
  rate: number;
  /** the CPU's share of the vector's rate, 0..1 */
  share: number;
  allowed: boolean;
  effective: boolean;
}

/** `cpus`: the host's CPU count; CPUs named by the vector beyond it widen the strip */
export function heatCells(r: VectorRate, cpus: number): HeatCell[] {
  const rates = new Map(r.cpus ?? []);
  const allowed = new Set(r.affinity === undefined ? [] : (parseCpuList(r.affinity) ?? []));
  const effective = new Set(r.effective === undefined ? [] : (parseCpuList(r.effective) ?? []));
  const width = Math.max(cpus, ...[...rates.keys(), ...allowed, ...effective].map((c) => c + 1));
  const total = [...rates.values()].reduce((a, b) => a + b, 0);
  return Array.from({ length: width }, (_, cpu) => {
    const rate = rates.get(cpu) ?? 0;
    return {
      cpu,
      rate,
      share: total > 0 ? Math.min(1, rate / total) : 0,
      // unknown affinity (no /proc/irq/N) allows every CPU rather than claiming none
      allowed: r.affinity === undefined || allowed.has(cpu),
      effective: effective.has(cpu),
    };
  });
}

/** "CPU 1" / "CPUs 0-3": the CPUs that took interrupts in the last tick, in the kernel's list spelling */
export function busiestCpus(cells: readonly HeatCell[]): number[] {
  return cells.filter((c) => c.rate > 0).map((c) => c.cpu);
}
