import { describe, expect, it } from 'vitest';
import {
  VFIO_IRQ_SET_ACTION_TRIGGER as TRIGGER,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX as MSI,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { eduHost, errnoOf, u32 } from './test-support.ts';

const EDU = '0000:00:03.0';

/** the edu scenario (2 CPUs, like the QEMU guest) with the edu's MSI wired to an eventfd */
async function eduWithMsi() {
  const { host } = eduHost('edu');
  const c = await host.openContainer();
  const g = await host.openGroup(3);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  const d = await g.openDevice(EDU);
  const efd = await host.createEventFd();
  await d.setIrqs({ index: MSI, start: 0, count: 1, action: TRIGGER, data: { type: 'eventfd', fds: [efd] } });
  // edu sends its MSI as a bus-master write: memory space + bus master on in the command register
  await d.write(VFIO_PCI_CONFIG_REGION_INDEX, 4n, new Uint8Array([0x06, 0x00]));
  // edu: bit 0 of the interrupt status, raised through 0x60; MSI is edge, no ack needed
  const raise = async (n: number) => {
    for (let i = 0; i < n; i++) await d.write(0, 0x60n, u32(1));
  };
  const line = async () => (await host.irqLines()).find((l) => l.bdf === EDU)!;
  return { host, raise, line };
}

describe('per-CPU delivery and smp_affinity_list', () => {
  it('counts every interrupt on the one CPU of the effective affinity, and follows a move', async () => {
    const { host, raise, line } = await eduWithMsi();
    const first = await line();
    expect(first.affinity).toEqual([0, 1]); // the default affinity: every CPU
    expect(first.effectiveAffinity).toEqual([0]); // the least loaded CPU, lowest on a tie
    await raise(2);
    expect((await line()).perCpu).toEqual([2, 0]);

    await host.setIrqAffinity(first.irq, [1]);
    await raise(3);
    const moved = await line();
    expect(moved.affinity).toEqual([1]);
    expect(moved.effectiveAffinity).toEqual([1]);
    expect(moved.perCpu).toEqual([2, 3]);
    expect(moved.count).toBe(5);
  });

  it('keeps the target when it is inside the new mask (assign_vector_locked)', async () => {
    const { host, raise, line } = await eduWithMsi();
    const { irq } = await line();
    await host.setIrqAffinity(irq, [1]);
    await host.setIrqAffinity(irq, [0, 1]);
    await raise(1);
    const l = await line();
    expect(l.affinity).toEqual([0, 1]);
    expect(l.effectiveAffinity).toEqual([1]);
    expect(l.perCpu).toEqual([0, 1]);
  });

  it("refuses what the kernel refuses, with the kernel's errno, and leaves the line where it was", async () => {
    const { host, line } = await eduWithMsi();
    const { irq } = await line();
    expect(await errnoOf(host.setIrqAffinity(irq, []))).toBe('EINVAL'); // no online CPU targeted
    expect(await errnoOf(host.setIrqAffinity(irq, [2]))).toBe('ERANGE'); // past nr_cpu_ids (2 CPUs)
    expect(await errnoOf(host.setIrqAffinity(irq + 1000, [0]))).toBe('ENOENT');
    const l = await line();
    expect(l.affinity).toEqual([0, 1]);
    expect(l.effectiveAffinity).toEqual([0]);
  });

  it("spreads a VM's vectors over the CPUs like the vector matrix", async () => {
    const { host } = eduHost('default', { pid: 7 }); // the scenario's VMs take 4242
    const lines = await host.irqLines();
    expect(lines.length).toBeGreaterThan(4);
    const info = await host.hostInfo();
    const targets = new Set(lines.map((l) => l.effectiveAffinity![0]));
    // one new line per least-loaded CPU: as many distinct targets as lines, up to the CPU count
    expect(targets.size).toBe(Math.min(lines.length, info.cpus));
    for (const l of lines) {
      expect(l.perCpu).toHaveLength(info.cpus);
      expect(l.perCpu.reduce((a, b) => a + b, 0)).toBe(l.count);
    }
  });
});
