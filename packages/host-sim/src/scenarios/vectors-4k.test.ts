import { describe, expect, it } from 'vitest';
import { createSimHost } from '../index.ts';
import { ManualClock } from '../kernel/clock.ts';
import { builtinScenarios } from './index.ts';
import { VECTORS_4K } from './vectors-4k.ts';

describe('vectors-4k scenario', () => {
  const s = builtinScenarios['vectors-4k'];

  it('shows exactly 4,096 MSI-X lines in /proc/interrupts, spread over the VMs’ devices and CPUs', async () => {
    const host = createSimHost({ scenario: 'vectors-4k', clock: new ManualClock(1000), pid: 9000 });
    const lines = await host.irqLines();
    expect(lines).toHaveLength(VECTORS_4K);
    expect(new Set(lines.map((l) => l.index))).toEqual(new Set(['MSIX']));
    expect(new Set(lines.map((l) => l.irq)).size).toBe(VECTORS_4K);
    const perDevice = new Map<string, number>();
    for (const l of lines) perDevice.set(l.bdf, (perDevice.get(l.bdf) ?? 0) + 1);
    expect(perDevice.size).toBe(128);
    expect(new Set(perDevice.values())).toEqual(new Set([65, 17]));
    // request_irq() spreads them: every CPU gets its share (4,096 / 128 = 32), within the vector limit
    const perCpu = new Map<number, number>();
    for (const l of lines) for (const c of l.effectiveAffinity ?? []) perCpu.set(c, (perCpu.get(c) ?? 0) + 1);
    expect(perCpu.size).toBe(s.cpus);
    expect(Math.max(...perCpu.values())).toBeLessThanOrEqual(Math.ceil(VECTORS_4K / s.cpus) + 1);
    expect(VECTORS_4K).toBeLessThan((await host.hostInfo()).vectorLimit);
  });

  it('gives every VM four whole devices of its kind and leaves spare and host-driver VFs unowned', () => {
    const byBdf = new Map(s.devices.map((d) => [d.bdf, d]));
    const byGroup = new Map(s.devices.map((d) => [d.group, d]));
    for (const p of s.processes) {
      const kinds = p.groups.map((g) => byGroup.get(g)!.kind);
      expect(kinds).toHaveLength(4);
      expect(new Set(kinds).size).toBe(1);
    }
    const owned = new Set(s.processes.flatMap((p) => p.groups));
    const vfs = s.devices.filter((d) => d.kind === 'nic-vf');
    expect(vfs.filter((d) => !owned.has(d.group)).some((d) => d.driver === 'iavf')).toBe(true);
    expect(vfs.filter((d) => !owned.has(d.group)).some((d) => d.driver === 'vfio-pci')).toBe(true);
    expect(vfs.every((d) => byBdf.get(d.physfn!)?.kind === 'nic-pf')).toBe(true);
  });
});
