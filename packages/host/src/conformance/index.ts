/**
 * The VFIO conformance suite: one set of behaviour cases written only
 * against the Host interface, run on every backend (the sim in every test
 * run, the linux backend in a QEMU guest with real edu devices), like the
 * kernel selftests' FIXTURE_VARIANT. Each case asserts the kernel's exact
 * errno or result; Linux 6.1's drivers/vfio is the referee.
 *
 * Usage, in a backend's test file (the facts come from the host itself):
 *
 *   defineConformanceSuite(async () => {
 *     const host = await createLinuxHost();
 *     return {
 *       name: 'linux', host, ...(await discoverBed(host)),
 *       holdGroupElsewhere: holdGroupInChildProcess,
 *       dispose: () => host.close(),
 *     };
 *   });
 *
 * What the bed must offer: ≥2 edu devices on vfio-pci, each alone in its
 * group; a shared group made non-viable by exactly one device on a host
 * driver; a device on a host driver; a finite RLIMIT_MEMLOCK that covers
 * dma_entry_limit pages, enforced (no CAP_IPC_LOCK, which bypasses it); and
 * permission to rebind drivers (sysfs). Cases that need a missing part fail,
 * they never skip.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { cdevRules, notExpressible } from './cdev.ts';
import { suiteContext } from './context.ts';
import { dmaLimits } from './dma-limits.ts';
import { dmaMap } from './dma-map.ts';
import { eduDevice } from './edu-device.ts';
import { groupsAndContainers } from './groups-containers.ts';
import { iommuInfo } from './iommu-info.ts';
import { irqs } from './irqs.ts';
import { observe } from './observe.ts';
import { regionsAndConfig } from './regions-config.ts';
import { reset } from './reset.ts';
import { Scope } from './scope.ts';
import type { ConformanceMode } from './modes.ts';
import type { ConformanceTarget } from './target.ts';
import { viabilityAndBinding } from './viability-binding.ts';

export type { ConformanceTarget, EduDeviceRef, SharedGroupRef } from './target.ts';
export { expectErrno } from './expect-errno.ts';
export { discoverBed, type DiscoveredBed } from './discover.ts';
export { CONFORMANCE_MODES, type ConformanceMode, MODE_ANSWERS } from './modes.ts';

/** creating a target may boot a device bed; give it time */
const TARGET_SETUP_TIMEOUT_MS = 60_000;

/**
 * The suite in one IOMMU mode. The mode is fixed when the suite is defined (cases a mode cannot
 * express are not registered), and the target must drive that mode: a host whose
 * /dev/vfio/vfio is served by someone else, or that lacks iommufd, fails the setup.
 */
export function defineConformanceSuite(mode: ConformanceMode, makeTarget: () => Promise<ConformanceTarget>): void {
  describe(`VFIO conformance (${mode})`, () => {
    let target: ConformanceTarget | undefined;
    let scope: Scope | undefined;
    const ctx = suiteContext(
      mode,
      () => {
        if (!target) throw new Error('conformance target not created');
        return target;
      },
      () => {
        if (!scope) throw new Error('no case is running');
        return scope;
      },
    );

    beforeAll(async () => {
      target = await makeTarget();
      await checkMode(target, mode);
    }, TARGET_SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await target?.dispose();
    });
    beforeEach(() => {
      scope = new Scope(ctx.target().host, mode);
    });
    afterEach(async () => {
      const done = scope;
      scope = undefined;
      await done?.release();
    });

    groupsAndContainers(ctx);
    viabilityAndBinding(ctx);
    iommuInfo(ctx);
    dmaMap(ctx);
    dmaLimits(ctx);
    regionsAndConfig(ctx);
    irqs(ctx);
    reset(ctx);
    eduDevice(ctx);
    observe(ctx);
    cdevRules(ctx);

    // after the areas' describe blocks have registered their cases (vitest collects them in order)
    describe('modes', () => notExpressible(ctx));
  });
}

/** The host must offer the mode: its /dev/vfio/vfio served by the mode's IOMMU, or /dev/iommu and the cdev. */
async function checkMode(target: ConformanceTarget, mode: ConformanceMode): Promise<void> {
  const { uapi, kernel } = await target.host.hostInfo();
  const offered = mode === 'iommufd' ? uapi.iommufd && uapi.cdev : uapi.container === mode;
  if (!offered) {
    throw new Error(
      `target ${target.name} (kernel ${kernel}) does not offer the ${mode} mode: container ${uapi.container ?? 'none'}, /dev/iommu ${uapi.iommufd}, cdev ${uapi.cdev}`,
    );
  }
}
