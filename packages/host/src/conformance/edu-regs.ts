/**
 * QEMU's edu device (docs/specs/edu.rst) as the suite drives it: BAR0
 * registers, the DMA engine and the PCI command register. Only 32-bit
 * accesses are used: edu accepts 4-byte accesses everywhere, and Linux 6.1's
 * vfio-pci splits wider pread/pwrite into 4-byte ones anyway.
 */
import { VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import type { Device } from '../drive.ts';
import { pollUntil } from './wait.ts';

export const EDU_VENDOR_ID = 0x1234;
export const EDU_DEVICE_ID = 0x11e8;
export const EDU_BAR0_SIZE = 0x10_0000n;

export const EDU = {
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

/** identification register of edu 1.0: 0xRRrr00ed */
export const EDU_ID_1_0 = 0x010000ed;
export const EDU_STATUS_COMPUTING = 0x01;
export const EDU_DMA_CMD_START = 0x01;
/** direction bit: 0 = RAM to edu, 1 = edu to RAM */
export const EDU_DMA_CMD_TO_RAM = 0x02;
/** the device-side 4 KiB DMA buffer, in edu's own address space */
export const EDU_DMA_BUFFER = 0x40000;
export const EDU_DMA_BUFFER_SIZE = 4096;
/** edu's default DMA mask is 28 bits: IOVAs it is given must stay below 256 MiB */
export const EDU_DMA_LIMIT = 1n << 28n;

/** PCI config space: command register and its Bus Master Enable bit */
export const PCI_COMMAND = 0x04;
export const PCI_COMMAND_MASTER = 0x4;

export function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
}

export function readU32le(bytes: Uint8Array, at = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

export function readU16le(bytes: Uint8Array, at = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(at, true);
}

export async function eduRead(device: Device, reg: number): Promise<number> {
  return readU32le(await device.read(VFIO_PCI_BAR0_REGION_INDEX, BigInt(reg), 4));
}

export async function eduWrite(device: Device, reg: number, value: number): Promise<void> {
  await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(reg), u32le(value));
}

/** Set or clear Bus Master Enable in the command register through the CONFIG region. */
export async function setBusMaster(device: Device, on: boolean): Promise<void> {
  const cfg = VFIO_PCI_CONFIG_REGION_INDEX;
  const command = readU16le(await device.read(cfg, BigInt(PCI_COMMAND), 2));
  const next = on ? command | PCI_COMMAND_MASTER : command & ~PCI_COMMAND_MASTER;
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, next, true);
  await device.write(cfg, BigInt(PCI_COMMAND), bytes);
}

export async function busMasterEnabled(device: Device): Promise<boolean> {
  const command = readU16le(await device.read(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(PCI_COMMAND), 2));
  return (command & PCI_COMMAND_MASTER) !== 0;
}

/**
 * Program one transfer of edu's DMA engine and wait (bounded) until the
 * start bit clears. Returns the final command register value.
 */
export async function eduDma(
  device: Device,
  transfer: { src: bigint | number; dst: bigint | number; count: number; toRam: boolean },
): Promise<number> {
  await eduWrite(device, EDU.DMA_SRC, Number(transfer.src));
  await eduWrite(device, EDU.DMA_DST, Number(transfer.dst));
  await eduWrite(device, EDU.DMA_COUNT, transfer.count);
  await eduWrite(device, EDU.DMA_CMD, EDU_DMA_CMD_START | (transfer.toRam ? EDU_DMA_CMD_TO_RAM : 0));
  return pollUntil(
    () => eduRead(device, EDU.DMA_CMD),
    (cmd) => (cmd & EDU_DMA_CMD_START) === 0,
  );
}

/**
 * Acknowledge every pending edu interrupt cause. vfio-pci cannot reset edu,
 * so a cause left pending by an earlier case would hold INTx asserted and
 * fire the moment the next case wires it; interrupt cases start from here.
 */
export async function eduAckAll(device: Device): Promise<void> {
  await eduWrite(device, EDU.IRQ_ACK, 0xffffffff);
}
