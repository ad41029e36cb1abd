/**
 * Interrupts per CPU on the real kernel (QEMU guest of e2e/kernel, 2 vCPUs):
 * the edu's MSI, wired to an eventfd, is counted in its /proc/interrupts
 * line under the CPU it is programmed to (effective_affinity_list; x86
 * delivers each vector to one CPU), and writing smp_affinity_list moves it
 * (kernel/irq/proc.c write_irq_affinity()): later interrupts count on the
 * new CPU, the old CPU's count stays where it was. The kernel's refusals keep
 * their errno. The sim models the same (host-sim kernel/irq-delivery.ts).
 */
import { describe, expect, it } from 'vitest';
import type { IrqLine } from '@vfioscope/host';
import { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX } from '@vfioscope/uapi';
import { setBusMaster } from './kernel-tests/cdev-stack.ts';
import { EDU_IRQ_ACK, EDU_IRQ_RAISE, eduWrite, openEduStack, waitFor } from './kernel-tests/edu-stack.ts';
import { createLinuxHost } from './linux-host.ts';

const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };
const RAISES = 20;

describe("the edu's MSI per CPU", () => {
  it('counts on the effective CPU, and follows the vector to CPU 1 when its affinity moves', async () => {
    const host = createLinuxHost();
    expect((await host.hostInfo()).cpus).toBe(2);
    const { devices, groups } = await host.topology();
    const edu = devices.find(
      (d) => d.vendorId === EDU.vendorId && d.deviceId === EDU.deviceId && groups.find((g) => g.id === d.iommuGroup)?.devices.length === 1,
    )!;
    const { device } = await openEduStack(host, { bdf: edu.bdf, group: edu.iommuGroup! });
    // the stack wires INTx; MSI excludes it, so turn INTx off first, then MSI on (a bus-master write)
    await device.setIrqs({
      index: VFIO_PCI_INTX_IRQ_INDEX,
      start: 0,
      count: 0,
      action: VFIO_IRQ_SET_ACTION_TRIGGER,
      data: { type: 'none' },
    });
    await setBusMaster(device);
    const msi = await host.createEventFd();
    await device.setIrqs({
      index: VFIO_PCI_MSI_IRQ_INDEX,
      start: 0,
      count: 1,
      action: VFIO_IRQ_SET_ACTION_TRIGGER,
      data: { type: 'eventfd', fds: [msi] },
    });
    const line = async (): Promise<IrqLine> => (await host.irqLines()).find((l) => l.name === `vfio-msi[0](${edu.bdf})`)!;
    const raise = async () => {
      let seen = 0;
      for (let i = 0; i < RAISES; i++) {
        await eduWrite(device, EDU_IRQ_RAISE, 1);
        seen += await waitFor(
          () => msi.drain(),
          (n) => n > 0,
        );
        await eduWrite(device, EDU_IRQ_ACK, 1);
      }
      return seen;
    };

    // start on CPU 0, whatever the kernel picked at request_irq()
    const first = await line();
    expect(first.irq).toBeGreaterThan(0);
    expect(first.perCpu).toHaveLength(2);
    await host.setIrqAffinity(first.irq, [0]);
    expect((await line()).effectiveAffinity).toEqual([0]);
    const before = (await line()).perCpu;
    expect(await raise()).toBe(RAISES);
    const onCpu0 = await line();
    expect(onCpu0.affinity).toEqual([0]);
    expect(onCpu0.perCpu[0]! - before[0]!).toBe(RAISES);
    expect(onCpu0.perCpu[1]).toBe(before[1]);

    await host.setIrqAffinity(first.irq, [1]);
    const moved = await line();
    expect(moved.affinity).toEqual([1]);
    expect(moved.effectiveAffinity).toEqual([1]);
    expect(await raise()).toBe(RAISES);
    const onCpu1 = await line();
    expect(onCpu1.perCpu[1]! - onCpu0.perCpu[1]!).toBe(RAISES);
    expect(onCpu1.perCpu[0]).toBe(onCpu0.perCpu[0]);
    expect(onCpu1.count).toBe(onCpu1.perCpu[0]! + onCpu1.perCpu[1]!);

    // a CPU the guest does not have: ERANGE when it is past the mask's bits (bitmap_parselist(); with
    // CPUMASK_OFFSTACK the mask is nr_cpu_ids wide, as the sim assumes), EINVAL when it parses but names no
    // online CPU (write_irq_affinity()); which one depends on the kernel's NR_CPUS/OFFSTACK config. The line stays.
    const refused = await host.setIrqAffinity(first.irq, [4096]).then(
      () => 'ok',
      (e: { errno: string }) => e.errno,
    );
    expect(['ERANGE', 'EINVAL']).toContain(refused);
    expect((await line()).effectiveAffinity).toEqual([1]);
    await host.close();
  });
});
