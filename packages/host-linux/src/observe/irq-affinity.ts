/**
 * /proc/irq/N/smp_affinity_list and effective_affinity_list (kernel/irq/proc.c):
 * which CPUs an IRQ may go to, and where the chip really sends it. Writing
 * smp_affinity_list moves the IRQ (Documentation/core-api/irq/irq-affinity.rst);
 * the kernel's refusals keep their errno:
 * - EACCES: the files are 0644 root-owned (0444 effective_affinity_list), so
 *   open() for writing fails for anyone else;
 * - EIO: write_irq_affinity() starts with irq_can_set_affinity_usr(), false for
 *   a managed IRQ or a chip that cannot move it;
 * - EINVAL: a list naming no online CPU ("at least one online CPU still has to
 *   be targeted"), or a malformed list; ERANGE: a CPU past the mask's size
 *   (bitmap_parselist()).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCpuList, parseCpuList, VfioError } from '@vfioscope/host';
import { fsError, readText } from './fs-read.ts';
import type { LinuxRoots } from './roots.ts';

const OP = 'smp_affinity_list';

export interface IrqAffinity {
  affinity: number[] | null;
  effectiveAffinity: number[] | null;
}

function readList(path: string): number[] | null {
  const t = readText(path);
  return t === null ? null : parseCpuList(t);
}

export function readIrqAffinity(roots: LinuxRoots, irq: number): IrqAffinity {
  if (irq < 0) return { affinity: null, effectiveAffinity: null };
  const dir = join(roots.proc, 'irq', String(irq));
  // effective_affinity_list exists only with CONFIG_GENERIC_IRQ_EFFECTIVE_AFF_MASK (x86 has it)
  return { affinity: readList(join(dir, 'smp_affinity_list')), effectiveAffinity: readList(join(dir, 'effective_affinity_list')) };
}

export function writeIrqAffinity(roots: LinuxRoots, irq: number, cpus: readonly number[]): void {
  const dir = join(roots.proc, 'irq', String(irq));
  if (!Number.isInteger(irq) || irq < 0 || !existsSync(dir)) {
    throw VfioError.fromErrno(2 /* ENOENT */, OP, `no IRQ ${irq} (/proc/irq/${irq} does not exist)`, { field: 'irq' });
  }
  const list = formatCpuList(cpus);
  try {
    writeFileSync(join(dir, 'smp_affinity_list'), `${list}\n`);
  } catch (e) {
    throw fsError(e, OP, `writing "${list}" to /proc/irq/${irq}/smp_affinity_list`, { field: 'cpus' });
  }
}
