/**
 * /proc/interrupts: one line per host IRQ with a count per CPU. vfio-pci
 * names the IRQs it requests for a device "vfio-intx(BDF)",
 * "vfio-msi[N](BDF)" and "vfio-msix[N](BDF)" (drivers/vfio/pci/vfio_pci_intrs.c),
 * so the VFIO vectors of every owner (a VM's QEMU included) can be counted
 * without touching the device.
 */
import type { IrqIndexName, IrqLine } from '@vfioscope/host';

const VFIO_NAME = /vfio-(intx|msix|msi)(?:\[(\d+)\])?\(([0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\)/g;

const INDEX: Record<string, IrqIndexName> = { intx: 'INTX', msi: 'MSI', msix: 'MSIX' };

export interface ParsedInterrupts {
  cpus: number;
  vfio: IrqLine[];
  /** chip names with the "IR-" prefix seen: interrupt remapping is on */
  remapped: boolean;
}

export function parseProcInterrupts(text: string): ParsedInterrupts {
  const lines = text.split('\n');
  const header = lines.shift() ?? '';
  const cpus = header
    .trim()
    .split(/\s+/)
    .filter((c) => /^CPU\d+$/.test(c)).length;
  const vfio: IrqLine[] = [];
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
    for (; i < cpus && i < fields.length && /^\d+$/.test(fields[i]!); i++) count += Number(fields[i]);
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
        name: m[0],
      });
    }
  }
  return { cpus, vfio, remapped };
}
