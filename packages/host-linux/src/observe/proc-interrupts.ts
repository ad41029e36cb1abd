/**
 * /proc/interrupts: one line per host IRQ with a count per CPU. vfio-pci
 * names the IRQs it requests for a device "vfio-intx(BDF)",
 * "vfio-msi[N](BDF)" and "vfio-msix[N](BDF)" (drivers/vfio/pci/vfio_pci_intrs.c),
 * so the VFIO vectors of every owner (a VM's QEMU included) can be counted
 * without touching the device. The CPU columns are kept apart (show_interrupts(),
 * kernel/irq/proc.c, prints one kstat_irqs_cpu() count per online CPU), so the
 * dashboard can show which CPU takes a vector's interrupts.
 */
import type { IrqIndexName, IrqLine } from '@vfioscope/host';

const VFIO_NAME = /vfio-(intx|msix|msi)(?:\[(\d+)\])?\(([0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\)/g;

const INDEX: Record<string, IrqIndexName> = { intx: 'INTX', msi: 'MSI', msix: 'MSIX' };

/** A VFIO line as /proc/interrupts alone shows it; the affinity comes from /proc/irq/N (irq-affinity.ts). */
export type ProcIrqLine = Omit<IrqLine, 'affinity' | 'effectiveAffinity'>;

export interface ParsedInterrupts {
  cpus: number;
  /** CPU number of each count column: the header's CPUn labels (a CPU taken offline drops its column) */
  cpuIds: number[];
  vfio: ProcIrqLine[];
  /** chip names with the "IR-" prefix seen: interrupt remapping is on */
  remapped: boolean;
}

export function parseProcInterrupts(text: string): ParsedInterrupts {
  const lines = text.split('\n');
  const header = lines.shift() ?? '';
  const cpuIds = header
    .trim()
    .split(/\s+/)
    .filter((c) => /^CPU\d+$/.test(c))
    .map((c) => Number(c.slice(3)));
  const cpus = cpuIds.length;
  const width = cpus === 0 ? 0 : Math.max(...cpuIds) + 1;
  const vfio: ProcIrqLine[] = [];
  let remapped = false;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const label = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    let count = 0;
    let i = 0;
    const perCpu = new Array<number>(width).fill(0);
    for (; i < cpus && i < fields.length && /^\d+$/.test(fields[i]!); i++) {
      const n = Number(fields[i]);
      count += n;
      perCpu[cpuIds[i]!] = n;
    }
    const rest = fields.slice(i).join(' ');
    if (/\bIR-/.test(rest)) remapped = true;
    if (!rest.includes('vfio-')) continue;
    const irq = /^\d+$/.test(label) ? Number(label) : -1;
    for (const m of rest.matchAll(VFIO_NAME)) {
      vfio.push({
        bdf: m[3]!.toLowerCase(),
        index: INDEX[m[1]!]!,
        vector: m[2] === undefined ? 0 : Number(m[2]),
        irq,
        count,
        perCpu: [...perCpu],
        name: m[0],
      });
    }
  }
  return { cpus, cpuIds, vfio, remapped };
}
