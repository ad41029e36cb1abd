import { describe, expect, it } from 'vitest';
import { configReaderOf, listCapabilities } from './config-space/capability-walk.ts';
import * as R from './config-space/pci-regs.ts';
import {
  EDU_DMA_BUFFER_ADDR,
  EDU_DMA_CMD_IRQ,
  EDU_DMA_CMD_START,
  EDU_DMA_CMD_TO_RAM,
  EDU_ID,
  EDU_IRQ_DMA,
  EDU_IRQ_FACTORIAL,
  EDU_REG,
  EDU_STATUS_COMPUTING,
  EDU_STATUS_IRQFACT,
  EduModel,
} from './edu.ts';
import { leBytes, leValue } from './sparse-memory.ts';
import { RecordingBus } from './test-bus.ts';
import * as V from '@vfioscope/uapi';

const BAR0 = V.VFIO_PCI_BAR0_REGION_INDEX;
const CONFIG = V.VFIO_PCI_CONFIG_REGION_INDEX;

function setup() {
  const edu = new EduModel();
  const bus = new RecordingBus();
  edu.attach(bus);
  const r32 = (reg: number) => Number(leValue(edu.read(BAR0, BigInt(reg), 4)));
  const r64 = (reg: number) => leValue(edu.read(BAR0, BigInt(reg), 8));
  const w32 = (reg: number, v: number) => edu.write(BAR0, BigInt(reg), leBytes(BigInt(v), 4));
  const w64 = (reg: number, v: bigint) => edu.write(BAR0, BigInt(reg), leBytes(v, 8));
  const cfg16 = (off: number) => configReaderOf(edu.read(CONFIG, 0n, 256)).get16(off);
  const setCommand = (bits: number) => edu.write(CONFIG, BigInt(R.PCI_COMMAND), leBytes(BigInt(bits), 2));
  const enableMsi = () => {
    const msi = edu.caps.msi!;
    edu.write(CONFIG, BigInt(msi + R.PCI_MSI_FLAGS), leBytes(BigInt(R.PCI_MSI_FLAGS_ENABLE), 2));
  };
  const step = (ms: number) => {
    bus.nowMs += ms;
    edu.advance(bus.nowMs);
  };
  return { edu, bus, r32, r64, w32, w64, cfg16, setCommand, enableMsi, step };
}

describe('edu device model', () => {
  it('looks like QEMU edu to vfio-pci: identity, one MSI vector, 1 MiB BAR0, no reset, no ERR index', () => {
    const { edu, cfg16 } = setup();
    expect(cfg16(R.PCI_VENDOR_ID)).toBe(0x1234);
    expect(cfg16(R.PCI_DEVICE_ID)).toBe(0x11e8);
    expect(cfg16(R.PCI_CLASS_PROG + 1)).toBe(0x00ff);
    expect(configReaderOf(edu.read(CONFIG, 0n, 256)).get8(R.PCI_INTERRUPT_PIN)).toBe(1);
    expect(listCapabilities(edu.config)).toEqual([{ id: R.PCI_CAP_ID_MSI, offset: 0x40 }]);
    expect(edu.deviceFlags).toBe(V.VFIO_DEVICE_FLAGS_PCI);
    const regions = edu.regions();
    expect(regions.find((r) => r.index === 0)?.size).toBe(1n << 20n);
    expect(regions.find((r) => r.index === 1)?.size).toBe(0n);
    expect(regions.find((r) => r.index === CONFIG)?.size).toBe(256n);
    expect(regions.some((r) => r.index === V.VFIO_PCI_VGA_REGION_INDEX)).toBe(false);
    expect(edu.irqs().map((i) => i.count)).toEqual([1, 1, 0, 0, 1]);
  });

  it('reports its id and inverts the liveness register', () => {
    const { r32, w32 } = setup();
    expect(r32(EDU_REG.ID)).toBe(EDU_ID);
    w32(EDU_REG.LIVENESS, 0x12345678);
    expect(r32(EDU_REG.LIVENESS)).toBe(~0x12345678 >>> 0);
  });

  it('ignores accesses of the wrong size below 0x80: narrower than 4 bytes reads 0 (QEMU rejects them), 8 bytes all-ones', () => {
    const { edu, r32, w32 } = setup();
    expect(leValue(edu.read(BAR0, 0n, 2))).toBe(0n);
    expect(leValue(edu.read(BAR0, 0n, 1))).toBe(0n);
    expect(leValue(edu.read(BAR0, 0n, 8))).toBe(0xffffffffffffffffn);
    w32(EDU_REG.LIVENESS, 0);
    edu.write(BAR0, BigInt(EDU_REG.LIVENESS), Uint8Array.of(1, 2));
    expect(r32(EDU_REG.LIVENESS)).toBe(0xffffffff);
  });

  it('computes a factorial, flagging computing until the device gets to run', () => {
    const { edu, r32, w32, step } = setup();
    w32(EDU_REG.FACTORIAL, 5);
    expect(r32(EDU_REG.STATUS) & EDU_STATUS_COMPUTING).toBe(EDU_STATUS_COMPUTING);
    w32(EDU_REG.FACTORIAL, 7); // ignored while computing
    step(0);
    expect(r32(EDU_REG.STATUS) & EDU_STATUS_COMPUTING).toBe(0);
    expect(r32(EDU_REG.FACTORIAL)).toBe(120);
    w32(EDU_REG.FACTORIAL, 13);
    edu.advance(0);
    expect(r32(EDU_REG.FACTORIAL)).toBe(Number(6227020800n % 2n ** 32n)); // 13! wraps at 32 bits
  });

  it('raises INTx as a level: one edge, re-fires while asserted, drops on ack', () => {
    const { bus, r32, w32, cfg16, step } = setup();
    w32(EDU_REG.IRQ_RAISE, 0x1000);
    expect(r32(EDU_REG.IRQ_STATUS)).toBe(0x1000);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(1);
    expect(cfg16(R.PCI_STATUS) & R.PCI_STATUS_INTERRUPT).toBe(R.PCI_STATUS_INTERRUPT);
    w32(EDU_REG.IRQ_RAISE, 0x2000); // already asserted: no new edge
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(1);
    step(10); // still asserted: the line fires again once unmasked
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(2);
    w32(EDU_REG.IRQ_ACK, 0x3000);
    expect(r32(EDU_REG.IRQ_STATUS)).toBe(0);
    expect(cfg16(R.PCI_STATUS) & R.PCI_STATUS_INTERRUPT).toBe(0);
    step(10);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(2);
    expect(bus.count(V.VFIO_PCI_MSI_IRQ_INDEX)).toBe(0);
  });

  it('holds INTx back while Interrupt Disable is set', () => {
    const { bus, w32, setCommand, step } = setup();
    setCommand(R.PCI_COMMAND_INTX_DISABLE);
    w32(EDU_REG.IRQ_RAISE, 1);
    step(1);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(0);
    setCommand(0);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(1);
  });

  it('sends one MSI per raise when MSI is enabled in its config space, and no INTx', () => {
    const { bus, w32, enableMsi, setCommand, step } = setup();
    enableMsi();
    setCommand(R.PCI_COMMAND_MASTER);
    w32(EDU_REG.IRQ_RAISE, 1);
    w32(EDU_REG.IRQ_RAISE, 1);
    step(5);
    expect(bus.count(V.VFIO_PCI_MSI_IRQ_INDEX)).toBe(2);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(0);
  });

  it('sends no MSI without Bus Master: the message write never leaves the device', () => {
    const { bus, w32, enableMsi, step } = setup();
    enableMsi();
    w32(EDU_REG.IRQ_RAISE, 1);
    step(5);
    expect(bus.count(V.VFIO_PCI_MSI_IRQ_INDEX)).toBe(0);
  });

  it('raises the factorial interrupt when asked to in the status register', () => {
    const { bus, r32, w32, step } = setup();
    w32(EDU_REG.STATUS, EDU_STATUS_IRQFACT);
    w32(EDU_REG.FACTORIAL, 4);
    step(0);
    expect(r32(EDU_REG.FACTORIAL)).toBe(24);
    expect(r32(EDU_REG.IRQ_STATUS)).toBe(EDU_IRQ_FACTORIAL);
    expect(bus.count(V.VFIO_PCI_INTX_IRQ_INDEX)).toBe(1);
  });

  it('DMAs RAM → buffer → RAM only with Bus Master set, completing after 100 ms with an interrupt', () => {
    const { edu, bus, r64, w64, w32, r32, setCommand, step } = setup();
    for (let i = 0; i < 16; i++) bus.ram.set(0x10000n + BigInt(i), 0xa0 + i);
    w64(EDU_REG.DMA_SRC, 0x10000n);
    w64(EDU_REG.DMA_DST, EDU_DMA_BUFFER_ADDR);
    w64(EDU_REG.DMA_COUNT, 16n);
    w64(EDU_REG.DMA_CMD, BigInt(EDU_DMA_CMD_START));
    step(100);
    expect(bus.dmaLog).toEqual([]); // no Bus Master: the request never reaches the bus
    expect(Array.from(edu.dmaBuffer.subarray(0, 16))).toEqual(new Array(16).fill(0));
    expect(r64(EDU_REG.DMA_CMD) & BigInt(EDU_DMA_CMD_START)).toBe(0n);

    setCommand(R.PCI_COMMAND_MEMORY | R.PCI_COMMAND_MASTER);
    w64(EDU_REG.DMA_CMD, BigInt(EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ));
    step(50);
    expect(r64(EDU_REG.DMA_CMD) & BigInt(EDU_DMA_CMD_START)).toBe(BigInt(EDU_DMA_CMD_START)); // still running
    w64(EDU_REG.DMA_SRC, 0x99999n); // ignored while running
    expect(r64(EDU_REG.DMA_SRC)).toBe(0x10000n);
    step(50);
    expect(bus.dmaLog).toEqual([{ op: 'read', iova: 0x10000n, length: 16 }]);
    expect(edu.dmaBuffer[0]).toBe(0xa0);
    expect(edu.dmaBuffer[15]).toBe(0xaf);
    expect(r32(EDU_REG.IRQ_STATUS)).toBe(EDU_IRQ_DMA);

    w32(EDU_REG.IRQ_ACK, EDU_IRQ_DMA);
    w64(EDU_REG.DMA_SRC, EDU_DMA_BUFFER_ADDR + 4n);
    w64(EDU_REG.DMA_DST, 0x20000n);
    w64(EDU_REG.DMA_COUNT, 4n);
    w64(EDU_REG.DMA_CMD, BigInt(EDU_DMA_CMD_START | EDU_DMA_CMD_TO_RAM));
    step(100);
    expect(bus.dmaLog[1]).toEqual({ op: 'write', iova: 0x20000n, length: 4 });
    expect([0n, 1n, 2n, 3n].map((i) => bus.ram.get(0x20000n + i))).toEqual([0xa4, 0xa5, 0xa6, 0xa7]);
  });

  it('clamps the RAM address to its 28-bit DMA mask and survives IOMMU faults', () => {
    const { edu, bus, w64, r64, setCommand, step } = setup();
    setCommand(R.PCI_COMMAND_MASTER);
    w64(EDU_REG.DMA_SRC, 0x1_2345_6000n);
    w64(EDU_REG.DMA_DST, EDU_DMA_BUFFER_ADDR);
    w64(EDU_REG.DMA_COUNT, 8n);
    w64(EDU_REG.DMA_CMD, BigInt(EDU_DMA_CMD_START));
    step(100);
    expect(bus.dmaLog[0]?.iova).toBe(0x0345_6000n);
    bus.faultFrom = 0n;
    w64(EDU_REG.DMA_CMD, BigInt(EDU_DMA_CMD_START));
    step(100);
    expect(edu.dmaFaults).toBe(1);
    expect(r64(EDU_REG.DMA_CMD) & BigInt(EDU_DMA_CMD_START)).toBe(0n);
  });

  it('returns to power-on state on reset', () => {
    const { edu, r32, w32, setCommand, cfg16 } = setup();
    w32(EDU_REG.LIVENESS, 1);
    w32(EDU_REG.IRQ_RAISE, 1);
    setCommand(R.PCI_COMMAND_MASTER);
    edu.reset();
    expect(r32(EDU_REG.LIVENESS)).toBe(0);
    expect(r32(EDU_REG.IRQ_STATUS)).toBe(0);
    expect(cfg16(R.PCI_COMMAND)).toBe(0);
    expect(edu.intxAsserted()).toBe(false);
  });
});
