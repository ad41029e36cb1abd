export * from './pci-regs.ts';
export * from './config-space.ts';
export * from './capability-walk.ts';
export * from './builder.ts';
export { msiEnabled, msixEnabled } from './capabilities.ts';
