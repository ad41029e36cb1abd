/**
 * Maps a scenario device to its DeviceModel: QEMU's edu gets its own model,
 * every other kind is the generic PCI function with that kind's layout.
 */
import type { ScenarioDevice, ScenarioDeviceKind } from '../scenarios/scenario-types.ts';
import type { DeviceModel } from './device-model.ts';
import { EduModel, type EduOptions } from './edu.ts';
import { pciBridge } from './kinds/bridge.ts';
import { generic } from './kinds/generic.ts';
import { gpu, gpuAudio } from './kinds/gpu.ts';
import type { KindDescriptor, KindResult } from './kinds/kind-descriptor.ts';
import { nicPf, nicVf } from './kinds/nic.ts';
import { nvme, sata, usb } from './kinds/storage.ts';
import { PciFunctionModel } from './pci-function-model.ts';

const KINDS: Record<Exclude<ScenarioDeviceKind, 'edu'>, KindDescriptor> = {
  gpu,
  'gpu-audio': gpuAudio,
  'nic-pf': nicPf,
  'nic-vf': nicVf,
  nvme,
  'pci-bridge': pciBridge,
  usb,
  sata,
  generic,
};

/** Class 0x0300xx: VGA-compatible display controller (vfio-pci's vfio_pci_is_vga()). */
export function isVgaClass(classCode: number): boolean {
  return classCode >>> 8 === 0x0300;
}

/**
 * Whether vfio-pci could reset the function: FLR, or a PM reset (D3hot → D0
 * without No_Soft_Reset). Bus and slot resets are not modelled.
 */
function canReset({ spec }: KindResult): boolean {
  return Boolean(spec.pcie?.flr) || (spec.pm !== undefined && !spec.pm.noSoftReset);
}

/** The hardware spec a scenario device gets (for inspection and tests); edu has a fixed one. */
export function describeDevice(device: ScenarioDevice): KindResult | null {
  if (device.kind === 'edu') return null;
  const kind = KINDS[device.kind];
  if (!kind) throw new RangeError(`${device.bdf}: unknown device kind ${JSON.stringify(device.kind)}`);
  return kind(device);
}

export interface CreateDeviceModelOptions {
  edu?: EduOptions;
}

export function createDeviceModel(device: ScenarioDevice, options: CreateDeviceModelOptions = {}): DeviceModel {
  const described = describeDevice(device);
  if (!described) return new EduModel(options.edu);
  return new PciFunctionModel(described.spec, {
    reset: device.reset ?? canReset(described),
    vga: isVgaClass(device.classCode),
    ...(device.irqLoad !== undefined ? { irqLoad: device.irqLoad } : {}),
    ...(device.dmaFaults !== undefined ? { dmaFaults: device.dmaFaults } : {}),
    ...(described.initialRegisters !== undefined ? { initialRegisters: described.initialRegisters } : {}),
    ...(device.resetFailsFrom !== undefined ? { resetFailsFrom: device.resetFailsFrom } : {}),
  });
}
