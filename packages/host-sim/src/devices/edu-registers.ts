/**
 * The register map and PCI identity of QEMU's edu device (docs/specs/edu.rst),
 * shared by the model (edu.ts) and by tests that drive an edu, simulated or real.
 */
import type { PciFunctionSpec } from './pci-function-spec.ts';

export const EDU_VENDOR_ID = 0x1234;
export const EDU_DEVICE_ID = 0x11e8;
export const EDU_CLASS_CODE = 0x00ff00;
export const EDU_BAR0_SIZE = 1 << 20;
export const EDU_ID = 0x010000ed;

export const EDU_REG = {
  ID: 0x00,
  LIVENESS: 0x04,
  FACTORIAL: 0x08,
  STATUS: 0x20,
  IRQ_STATUS: 0x24,
  IRQ_RAISE: 0x60,
  IRQ_ACK: 0x64,
  DMA_SRC: 0x80,
  DMA_DST: 0x88,
  DMA_COUNT: 0x90,
  DMA_CMD: 0x98,
} as const;

export const EDU_STATUS_COMPUTING = 0x01;
export const EDU_STATUS_IRQFACT = 0x80;
export const EDU_DMA_CMD_START = 0x1;
/** direction bit: set = edu buffer → RAM */
export const EDU_DMA_CMD_TO_RAM = 0x2;
export const EDU_DMA_CMD_IRQ = 0x4;
/** interrupt status causes */
export const EDU_IRQ_FACTORIAL = 0x001;
export const EDU_IRQ_DMA = 0x100;
export const EDU_DMA_BUFFER_ADDR = 0x40000n;
export const EDU_DMA_BUFFER_SIZE = 4096;
/** edu's default dma_mask property: 28 address bits */
export const EDU_DMA_MASK = (1n << 28n) - 1n;

export const EDU_SPEC: PciFunctionSpec = {
  vendorId: EDU_VENDOR_ID,
  deviceId: EDU_DEVICE_ID,
  subsystemVendorId: 0x1af4,
  subsystemDeviceId: 0x1100,
  classCode: EDU_CLASS_CODE,
  revision: 0x10,
  interruptPin: 1,
  bars: [{ index: 0, kind: 'mem32', size: EDU_BAR0_SIZE }],
  msi: { vectors: 1, addr64: true, perVectorMask: false },
};
