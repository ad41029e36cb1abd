import { describe, expect, it } from 'vitest';
import { parseProcInterrupts } from './proc-interrupts.ts';

// Shaped like a q35 guest with two edu devices owned through vfio-pci.
const SAMPLE = `           CPU0       CPU1       
  0:         44          0   IO-APIC   2-edge      timer
  8:          0          0   IO-APIC   8-edge      rtc0
 24:         17          3  IR-IO-APIC   16-fasteoi   vfio-intx(0000:00:04.0)
 25:          0          0  IR-PCI-MSI 65536-edge      vfio-msi[0](0000:00:05.0)
 26:       1000       2345  IR-PCI-MSIX-0000:03:00.0    0-edge      vfio-msix[0](0000:03:00.0)
 27:          7          8  IR-PCI-MSIX-0000:03:00.0    1-edge      vfio-msix[12](0000:03:00.0)
 28:          5          0  IR-IO-APIC   17-fasteoi   ahci[0000:00:1f.2], vfio-intx(0000:01:01.0)
 29:        100          0  IR-PCI-MSI 458752-edge      enp0s7
NMI:          0          0   Non-maskable interrupts
LOC:       1234       5678   Local timer interrupts
ERR:          0
MIS:          0
`;

describe('parseProcInterrupts', () => {
  it('finds every vfio line with its index, vector, irq, count per CPU and summed', () => {
    const p = parseProcInterrupts(SAMPLE);
    expect(p.cpus).toBe(2);
    expect(p.vfio).toEqual([
      { bdf: '0000:00:04.0', index: 'INTX', vector: 0, irq: 24, count: 20, perCpu: [17, 3], name: 'vfio-intx(0000:00:04.0)' },
      { bdf: '0000:00:05.0', index: 'MSI', vector: 0, irq: 25, count: 0, perCpu: [0, 0], name: 'vfio-msi[0](0000:00:05.0)' },
      { bdf: '0000:03:00.0', index: 'MSIX', vector: 0, irq: 26, count: 3345, perCpu: [1000, 2345], name: 'vfio-msix[0](0000:03:00.0)' },
      { bdf: '0000:03:00.0', index: 'MSIX', vector: 12, irq: 27, count: 15, perCpu: [7, 8], name: 'vfio-msix[12](0000:03:00.0)' },
      { bdf: '0000:01:01.0', index: 'INTX', vector: 0, irq: 28, count: 5, perCpu: [5, 0], name: 'vfio-intx(0000:01:01.0)' },
    ]);
  });

  it('sees interrupt remapping from the IR- chip names', () => {
    expect(parseProcInterrupts(SAMPLE).remapped).toBe(true);
    const plain = SAMPLE.replace(/IR-/g, '');
    expect(parseProcInterrupts(plain).remapped).toBe(false);
  });

  it('returns no lines for a host without VFIO interrupts', () => {
    const text = `           CPU0\n  0:         44   IO-APIC   2-edge      timer\nNMI:          0   Non-maskable interrupts\n`;
    expect(parseProcInterrupts(text)).toEqual({ cpus: 1, cpuIds: [0], vfio: [], remapped: false });
  });

  it('puts each count under its CPU number when a CPU is offline (its column is gone)', () => {
    // CPU1 offline: show_interrupts() prints columns for online CPUs only
    const text = `           CPU0       CPU2       CPU3\n 40:          1          0        900  IR-PCI-MSI 65536-edge      vfio-msi[0](0000:00:05.0)\n`;
    const p = parseProcInterrupts(text);
    expect(p.cpuIds).toEqual([0, 2, 3]);
    expect(p.vfio[0]!.perCpu).toEqual([1, 0, 0, 900]);
    expect(p.vfio[0]!.count).toBe(901);
  });
});
