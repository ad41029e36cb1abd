export type * from './device-model.ts';
export * from './config-space/index.ts';
export type * from './pci-function-spec.ts';
export { PciFunctionModel, VGA_REGION_SIZE, type PciFunctionOptions } from './pci-function-model.ts';
export * from './edu.ts';
export { createDeviceModel, describeDevice, isVgaClass, type CreateDeviceModelOptions } from './create-device-model.ts';
export { IrqLoadDriver } from './irq-load-driver.ts';
