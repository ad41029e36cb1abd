/**
 * The demo's script played on a ManualClock: every beat happens at its time
 * through the sim kernel (a storm on the GPU's vector, type1's memlock
 * refusal, a reset that does not come back, DMAR faults, a VM that comes and
 * goes), the narration lands in the kernel log as user space's lines, the
 * loop repeats, and after each pass the host is as it was at the start.
 */
import type { KernelLogRecord } from '@vfioscope/host';
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../kernel/clock.ts';
import { createSimHost } from '../../index.ts';
import { GiB } from '../build-helpers.ts';
import { DEMO_CI_PID, DEMO_GPU, DEMO_NVME, DEMO_VF, DEMO_WIN11_PID } from '../demo.ts';

const LOOP_MS = 90_000;

function demoHost() {
  const clock = new ManualClock(5_000);
  const host = createSimHost({ scenario: 'demo', clock, pid: 9000 });
  // the first look at the host is the script's 00:00
  host.kernel.advance();
  let seq = -1;
  /** kernel log lines since the last call */
  const newLines = async (): Promise<KernelLogRecord[]> => {
    const r = await host.kernelLog(seq);
    if (!r.ok) throw new Error(r.reason);
    seq = r.nextSeq;
    return r.records;
  };
  /** the count of the GPU's MSI-X vector 0 in /proc/interrupts */
  const gpuVector0 = async () => {
    const line = (await host.irqLines()).find((l) => l.bdf === DEMO_GPU && l.index === 'MSIX' && l.vector === 0);
    return line ? line.perCpu.reduce((a, b) => a + b, 0) : 0;
  };
  /** move the clock to mm:ss of pass `pass` (0 = the first), from the host's start, and look (as each telemetry tick does) */
  const at = (mmss: string, pass = 0) => {
    const [m, s] = mmss.split(':').map(Number);
    clock.set(5_000 + pass * LOOP_MS + ((m ?? 0) * 60 + (s ?? 0)) * 1000);
    host.kernel.advance();
  };
  return { host, clock, newLines, gpuVector0, at };
}

const texts = (records: KernelLogRecord[]) => records.map((r) => r.text);
const narration = (records: KernelLogRecord[]) => records.filter((r) => r.priority >> 3 === 1).map((r) => r.text);

/** What the dashboard can see of the host, without the counters that only ever grow. */
async function observable(host: ReturnType<typeof createSimHost>) {
  const gpu = host.kernel.functions.get(DEMO_GPU)!;
  return {
    topology: await host.topology(),
    owners: await host.owners(),
    lines: (await host.irqLines()).map(({ perCpu: _, count: __, ...line }) => line),
    gpuConfig: Array.from(gpu.model.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, 64)),
  };
}

describe('the demo script', () => {
  it('plays each beat at its time, through the sim kernel', async () => {
    const { host, newLines, gpuVector0, at } = demoHost();
    await newLines();

    at('00:02');
    expect(narration(await newLines())).toEqual([]);
    at('00:03');
    expect(narration(await newLines())).toEqual([expect.stringMatching(/^demo: r750-lab-07: three VMs hold/)]);

    // 00:10: the storm, on top of the vector's own 300/s
    at('00:09');
    const before = await gpuVector0();
    at('00:10');
    expect((await gpuVector0()) - before).toBeLessThanOrEqual(301);
    expect(narration(await newLines())).toEqual([expect.stringMatching(/^demo: win11-cad's GPU 0000:17:00\.0 storms on MSI-X vector 0/)]);
    const start = await gpuVector0();
    at('00:11');
    expect((await gpuVector0()) - start).toBe(60_000 + 300);

    // 00:25: type1 refuses the hot-plugged RAM past win11-cad's 33 GiB limit; its VmLck is unchanged
    at('00:25');
    const memlock = await newLines();
    expect(texts(memlock)).toContain(`vfio_pin_pages_remote: RLIMIT_MEMLOCK (${33 * GiB}) exceeded`);
    expect(memlock.find((r) => r.text.startsWith('vfio_pin'))?.message).toMatchObject({ kind: 'memlock-exceeded', limit: 33 * GiB });
    expect(narration(memlock)).toEqual([expect.stringMatching(/hot-plugs 2 GiB.* — VFIO_IOMMU_MAP_DMA: ENOMEM$/)]);
    expect((await host.owners()).find((o) => o.pid === DEMO_WIN11_PID)?.lockedBytes).toBe(32 * GiB);

    // 00:35: the storm is over: back to the vector's 300/s
    at('00:36');
    const after = await gpuVector0();
    at('00:37');
    expect((await gpuVector0()) - after).toBe(300);

    // 00:40: the reset the GPU does not come back from: pci_dev_wait gives up, ENOTTY
    at('00:40');
    const reset = await newLines();
    expect(texts(reset)).toContain('vfio-pci 0000:17:00.0: not ready 65535ms after FLR; giving up');
    expect(reset.find((r) => r.text.endsWith('giving up'))?.message).toMatchObject({ kind: 'reset', bdf: DEMO_GPU });
    expect(narration(reset)).toEqual([expect.stringMatching(/resets the GPU 0000:17:00\.0.* — VFIO_DEVICE_RESET: ENOTTY$/)]);
    expect(host.kernel.functions.get(DEMO_GPU)!.model.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, 4)).toEqual(new Uint8Array(4).fill(0xff));

    // 00:50: ten DMAR faults from nfv-router-1's NVMe
    at('00:50');
    const dmar = await newLines();
    const faults = dmar.filter((r) => r.message?.kind === 'iommu-fault');
    expect(faults).toHaveLength(10);
    expect(faults.every((r) => r.message?.bdf === DEMO_NVME)).toBe(true);
    expect(narration(dmar)).toEqual([expect.stringMatching(/^demo: nfv-router-1's NVMe 0000:b3:00\.0 DMAs/)]);

    // 01:00: ci-runner starts holding the VF (its vectors appear); 01:15: it is gone again
    const vfGroup = host.kernel.functions.get(DEMO_VF)!.group;
    at('00:59');
    expect((await host.owners()).some((o) => o.group === vfGroup)).toBe(false);
    at('01:00');
    expect((await host.owners()).find((o) => o.group === vfGroup)).toMatchObject({ pid: DEMO_CI_PID, comm: 'qemu-system-x86' });
    expect((await host.irqLines()).filter((l) => l.bdf === DEMO_VF).length).toBeGreaterThan(0);
    at('01:15');
    expect((await host.owners()).some((o) => o.group === vfGroup)).toBe(false);
    expect((await host.irqLines()).filter((l) => l.bdf === DEMO_VF)).toEqual([]);

    at('01:29');
    expect(narration(await newLines()).map((t) => t.slice(0, 30))).toEqual([
      'demo: a CI VM, ci-runner, star',
      'demo: ci-runner is done and re',
      "demo: that's the story: at 01:",
    ]);
  });

  it('loops: at 01:30 the host is as it was at the start, and every beat comes again at its time', async () => {
    const { host, newLines, at } = demoHost();
    const start = await observable(host);
    await newLines();
    for (const pass of [1, 2]) {
      at('01:29', pass - 1);
      expect(await observable(host)).not.toEqual(start); // the GPU is still gone
      at('00:00', pass);
      expect(await observable(host)).toEqual(start);
      expect(host.kernel.script?.pass).toBe(pass);
      at('00:10', pass);
      const lines = narration(await newLines());
      expect(lines.at(-2)).toMatch(/^demo: r750-lab-07: three VMs hold/);
      expect(lines.at(-1)).toMatch(/^demo: win11-cad's GPU .* storms/);
    }
    const history = host.kernel.script!.history;
    expect(history.filter((h) => h.pass === 2).map((h) => h.step.do.kind)).toEqual(['note', 'storm']);
    expect(history.filter((h) => h.pass === 1).map((h) => [h.step.at, h.outcome])).toEqual(
      history.filter((h) => h.pass === 0).map((h) => [h.step.at, h.outcome]),
    );
  });

  it('starts at the first look at the host, not when the host was made (a slow server start misses no beat)', async () => {
    const clock = new ManualClock(0);
    const host = createSimHost({ scenario: 'demo', clock, pid: 9000 });
    clock.set(60_000);
    const first = await host.kernelLog(-1);
    expect(first.ok && narration(first.records)).toEqual([]);
    clock.set(63_000);
    const later = await host.kernelLog(-1);
    expect(later.ok && narration(later.records)).toEqual([expect.stringMatching(/^demo: r750-lab-07/)]);
  });

  it('does the same however the clock is cut: one jump into the second pass or 250 ms steps', async () => {
    const jump = demoHost();
    const steps = demoHost();
    jump.at('00:10', 1);
    // to 00:10 of the second pass, read at every 250 ms
    for (let t = 0; t <= LOOP_MS + 10_000; t += 250) {
      steps.clock.set(5_000 + t);
      await steps.host.irqLines();
    }
    const [a, b] = [await jump.newLines(), await steps.newLines()];
    expect(texts(a)).toEqual(texts(b));
    expect(await jump.gpuVector0()).toBe(await steps.gpuVector0());
    expect(jump.host.kernel.script!.history.map((h) => [h.pass, h.atMs, h.outcome])).toEqual(
      steps.host.kernel.script!.history.map((h) => [h.pass, h.atMs, h.outcome]),
    );
  });
});
