/**
 * The VFIO conformance suite on the sim backend, with the `edu` scenario
 * (the sim's mirror of the QEMU guest the linux backend is tested in).
 */
import { defineConformanceSuite, discoverBed } from '@vfioscope/host/conformance';
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

defineConformanceSuite(async () => {
  const scenario = loadScenario('edu');
  scenario.memlockLimit = memlockFor(scenario.dmaEntryLimit);
  const host = createSimHost({ scenario });
  const bed = await discoverBed(host);
  return {
    name: 'sim',
    host,
    ...bed,
    async holdGroupElsewhere(group) {
      const release = host.holdGroupElsewhere(group);
      return async () => release();
    },
    dispose: () => host.close(),
  };
});
