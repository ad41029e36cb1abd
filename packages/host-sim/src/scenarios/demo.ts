/**
 * The demo scenario: the default host (r750-lab-07) with a script that walks
 * through what vfioscope is for, in 90 s, and loops — so a demo to
 * stakeholders plays out the same way every time. Each beat happens through
 * the sim kernel (interrupts, a type1 pin, a reset, IOMMU faults, a VM's
 * groups) and is narrated in the event log as "demo: …". The README's
 * scenario section has the timeline as a table; keep the two in step.
 */
import { bdf, GiB } from './build-helpers.ts';
import { buildDefaultHost } from './default.ts';
import type { Scenario } from './scenario-types.ts';
import type { ScenarioScript } from './script/script-types.ts';
import { validateScenario } from './validate.ts';

/** the cast: win11-cad's GPU and its pid, nfv-router-1's NVMe, a free E810 VF */
export const DEMO_GPU = bdf(0x17, 0, 0);
export const DEMO_WIN11_PID = 4242;
export const DEMO_NVME = bdf(0xb3, 0, 0);
export const DEMO_VF = bdf(0x32, 0, 5);
export const DEMO_CI_PID = 6200;

function script(host: Scenario): ScenarioScript {
  const vfGroup = host.devices.find((d) => d.bdf === DEMO_VF)?.group;
  if (vfGroup === undefined) throw new Error(`demo: the default host has no ${DEMO_VF}`);
  return {
    loop: '01:30',
    steps: [
      {
        at: '00:03',
        say: 'r750-lab-07: three VMs hold a GPU, NVMe drives and E810 VFs through VFIO; vfioscope watches their interrupts, pinned memory and kernel messages',
        do: { kind: 'note' },
      },
      {
        at: '00:10',
        say: `win11-cad's GPU ${DEMO_GPU} storms on MSI-X vector 0: 60k interrupts/s for 25 s`,
        do: { kind: 'storm', device: DEMO_GPU, index: 'MSIX', vector: 0, rate: 60_000, for: '00:25' },
      },
      {
        at: '00:25',
        say: "win11-cad hot-plugs 2 GiB of RAM; QEMU maps it for the GPU's DMA, past the VM's 33 GiB memlock limit",
        do: { kind: 'vm-dma-map', pid: DEMO_WIN11_PID, bytes: 2 * GiB },
      },
      {
        at: '00:40',
        say: `win11-cad's guest reboots and QEMU resets the GPU ${DEMO_GPU}, which does not come back`,
        do: { kind: 'vm-reset', device: DEMO_GPU },
      },
      {
        at: '00:50',
        say: `nfv-router-1's NVMe ${DEMO_NVME} DMAs to an IOVA its driver never mapped: the IOMMU refuses every write`,
        do: { kind: 'dma-fault', device: DEMO_NVME, iova: 0x7fff0000, count: 10 },
      },
      {
        at: '01:00',
        say: `a CI VM, ci-runner, starts with the E810's VF ${DEMO_VF}`,
        do: {
          kind: 'vm-start',
          process: {
            pid: DEMO_CI_PID,
            comm: 'qemu-system-x86',
            cmdline: `/usr/bin/qemu-system-x86_64 -name guest=ci-runner -machine pc-q35-7.2,accel=kvm -cpu host -m 4096 -smp 4 -device vfio-pci,host=${DEMO_VF}`,
            groups: [vfGroup],
            lockedBytes: 4 * GiB,
            pinnedBytes: 0,
            memlockLimit: 5 * GiB,
          },
        },
      },
      { at: '01:15', say: 'ci-runner is done and releases its VF', do: { kind: 'vm-stop', pid: DEMO_CI_PID } },
      {
        at: '01:25',
        say: "that's the story: at 01:30 the GPU is power-cycled and it starts again",
        do: { kind: 'note' },
      },
    ],
  };
}

function build(): Scenario {
  const host = buildDefaultHost('demo');
  return validateScenario(
    {
      ...host,
      description:
        "the default host with a 90 s story, looping: win11-cad's GPU storms, its memory hot-plug hits the memlock limit, its GPU does not come back from a reset, an NVMe faults in the IOMMU, a CI VM comes and goes",
      script: script(host),
    },
    'demo',
  );
}

export const demoScenario: Scenario = build();
