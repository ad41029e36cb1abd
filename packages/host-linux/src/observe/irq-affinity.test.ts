import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinuxHost } from '../linux-host.ts';
import { FakeTree } from './fake-tree.test-helper.ts';

let tree: FakeTree;

// the bed's guest: 2 vCPUs, the edu's MSI on IRQ 25 targeted at CPU 0, an INTx line on 24
const INTERRUPTS = `           CPU0       CPU1       
 24:         17          3  IR-IO-APIC   16-fasteoi   vfio-intx(0000:00:04.0)
 25:        120          0  IR-PCI-MSI 65536-edge      vfio-msi[0](0000:00:05.0)
LOC:       1234       5678   Local timer interrupts
`;

beforeEach(() => {
  tree = new FakeTree();
  tree.file(join(tree.roots.proc, 'interrupts'), INTERRUPTS);
  tree.file(join(tree.roots.proc, 'irq/25/smp_affinity_list'), '0-1\n');
  tree.file(join(tree.roots.proc, 'irq/25/effective_affinity_list'), '0\n');
  // IRQ 24 without effective_affinity_list: a kernel without CONFIG_GENERIC_IRQ_EFFECTIVE_AFF_MASK
  tree.file(join(tree.roots.proc, 'irq/24/smp_affinity_list'), '1\n');
});

afterEach(() => tree.remove());

describe('per-CPU counts and affinity from a fake /proc', () => {
  it('gives every VFIO vector its IRQ, count per CPU and both affinity lists', async () => {
    const lines = await createLinuxHost({ roots: tree.roots }).irqLines();
    expect(
      lines.map(({ name, irq, count, perCpu, affinity, effectiveAffinity }) => ({ name, irq, count, perCpu, affinity, effectiveAffinity })),
    ).toEqual([
      { name: 'vfio-intx(0000:00:04.0)', irq: 24, count: 20, perCpu: [17, 3], affinity: [1], effectiveAffinity: null },
      { name: 'vfio-msi[0](0000:00:05.0)', irq: 25, count: 120, perCpu: [120, 0], affinity: [0, 1], effectiveAffinity: [0] },
    ]);
  });

  it('writes smp_affinity_list in the kernel list format', async () => {
    const host = createLinuxHost({ roots: tree.roots });
    await host.setIrqAffinity(25, [3, 1, 2]);
    expect(readFileSync(join(tree.roots.proc, 'irq/25/smp_affinity_list'), 'utf8')).toBe('1-3\n');
  });

  it('answers ENOENT for an IRQ with no /proc/irq directory', async () => {
    const host = createLinuxHost({ roots: tree.roots });
    await expect(host.setIrqAffinity(99, [0])).rejects.toMatchObject({ errno: 'ENOENT', op: 'smp_affinity_list' });
  });

  it("keeps the write's errno (here EISDIR; EACCES for a non-root writer, EINVAL/EIO from the kernel)", async () => {
    mkdirSync(join(tree.roots.proc, 'irq/30/smp_affinity_list'), { recursive: true });
    const host = createLinuxHost({ roots: tree.roots });
    await expect(host.setIrqAffinity(30, [0])).rejects.toMatchObject({ errno: 'EISDIR', op: 'smp_affinity_list' });
  });
});
