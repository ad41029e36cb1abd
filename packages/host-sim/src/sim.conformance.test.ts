/**
 * The VFIO conformance suite on the sim backend, in every IOMMU mode, each
 * on the scenario that mirrors its guest in e2e/kernel: `edu` (Linux 6.1,
 * type1), `edu-6.12` (6.12 with type1 serving /dev/vfio/vfio) and
 * `edu-6.12-compat` (6.12 with iommufd's compat container; the 6.12-cdev
 * guest runs that kernel too, and the iommufd mode drives its cdevs).
 */
import { type ConformanceMode, defineConformanceSuite, discoverBed } from '@vfioscope/host/conformance';
import { SIM_PAGE_SIZE } from './kernel/sim-kernel.ts';
import { createSimHost, loadScenario } from './index.ts';

/**
 * type1 charges every one-page mapping to RLIMIT_MEMLOCK, so reaching
 * dma_entry_limit (65,535) takes 256 MiB of it; like the guest, the suite
 * runs under a limit sized to the dma_entry_limit in force.
 */
function memlockFor(dmaEntryLimit: number): number {
  return (dmaEntryLimit + 256) * SIM_PAGE_SIZE;
}

const RUNS: { mode: ConformanceMode; scenario: string }[] = [
  { mode: 'type1', scenario: 'edu' },
  { mode: 'type1', scenario: 'edu-6.12' },
  { mode: 'iommufd-compat', scenario: 'edu-6.12-compat' },
  { mode: 'iommufd', scenario: 'edu-6.12-compat' },
];

for (const run of RUNS) {
  defineConformanceSuite(run.mode, async () => {
    const scenario = loadScenario(run.scenario);
    scenario.memlockLimit = memlockFor(scenario.dmaEntryLimit);
    const host = createSimHost({ scenario });
    const bed = await discoverBed(host);
    return {
      name: `sim ${run.scenario}`,
      host,
      ...bed,
      async holdGroupElsewhere(group) {
        const release = host.holdGroupElsewhere(group);
        return async () => release();
      },
      dispose: () => host.close(),
    };
  });
}
