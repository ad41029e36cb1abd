/**
 * @vfioscope/host-sim: the simulated backend of the Host interface — an
 * in-process model of the kernel's VFIO rules (kernel/), device models
 * (devices/) and the scenarios that describe whole hosts (scenarios/).
 */
import { createDeviceModel } from './devices/index.ts';
import type { SimClock } from './kernel/clock.ts';
import { loadScenario } from './scenarios/index.ts';
import type { Scenario } from './scenarios/scenario-types.ts';
import { SimHost, type SimKernelOptions } from './sim-host.ts';

export { SimHost, type SimHostOptions, type SimKernelOptions } from './sim-host.ts';
export { kernelProfile, type ContainerBackend, type KernelProfile } from './kernel/kernel-profile.ts';
export { ManualClock, realClock, type SimClock } from './kernel/clock.ts';
export * from './scenarios/index.ts';
export { createDeviceModel } from './devices/index.ts';
export type { DeviceBus, DeviceModel, SimIrqIndex, SimRegion } from './devices/device-model.ts';

/**
 * The kernel options (`kernel`, `iommu`, `iommufd`, `cdev`) override the
 * scenario's: e.g. `{ scenario: 'edu', kernel: '6.12.95', iommu: 'iommufd-compat' }`.
 */
export interface CreateSimHostOptions extends SimKernelOptions {
  /** a scenario, or the name of a built-in one (or a scenario JSON file) */
  scenario: Scenario | string;
  /** defaults to the wall clock; tests pass a ManualClock */
  clock?: SimClock;
  /** the pid owners() reports for this process; defaults to process.pid */
  pid?: number;
}

export function createSimHost(opts: CreateSimHostOptions): SimHost {
  const scenario = typeof opts.scenario === 'string' ? loadScenario(opts.scenario) : opts.scenario;
  return new SimHost({
    scenario,
    createModel: (d) => createDeviceModel(d),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    ...(opts.pid !== undefined ? { pid: opts.pid } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
    ...(opts.iommu !== undefined ? { iommu: opts.iommu } : {}),
    ...(opts.iommufd !== undefined ? { iommufd: opts.iommufd } : {}),
    ...(opts.cdev !== undefined ? { cdev: opts.cdev } : {}),
  });
}
