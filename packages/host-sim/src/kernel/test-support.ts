/**
 * Shared by the kernel's unit tests: a sim host on the edu scenario with a
 * manual clock, a helper that returns the errno a call fails with, and edu's
 * DMA engine driven through any device fd (group path or cdev).
 */
import type { Device } from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import { VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import { EDU_DMA_BUFFER_ADDR, EDU_DMA_CMD_START, EDU_DMA_CMD_TO_RAM, EDU_REG } from '../devices/edu-registers.ts';
import type { EduModel } from '../devices/edu.ts';
import { type CreateSimHostOptions, createSimHost } from '../index.ts';
import type { SimHost } from '../sim-host.ts';
import { ManualClock } from './clock.ts';

export function eduHost(scenario: CreateSimHostOptions['scenario'] = 'edu', opts: Omit<CreateSimHostOptions, 'scenario'> = {}) {
  const clock = new ManualClock(1000);
  const host = createSimHost({ scenario, clock, pid: 4242, ...opts });
  return { host, clock };
}

export async function errnoOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VfioError) return e.errno;
    throw e;
  }
  return 'ok';
}

/** a little-endian u32 for edu register writes */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** Bus Master Enable in the command register, through the CONFIG region */
export async function setBusMaster(d: Device): Promise<void> {
  const cmd = await d.read(VFIO_PCI_CONFIG_REGION_INDEX, 4n, 2);
  await d.write(VFIO_PCI_CONFIG_REGION_INDEX, 4n, Uint8Array.of(cmd[0]! | 0x4, cmd[1]!));
}

/**
 * One edu DMA between its 4 KiB buffer and `iova` (28-bit), run to
 * completion by stepping the clock: `toRam` copies buffer → RAM, else RAM →
 * buffer. A DMA the IOMMU refuses still completes (edu counts a fault).
 */
export async function eduDma(d: Device, clock: ManualClock, iova: bigint, count: number, toRam: boolean): Promise<void> {
  const bar = VFIO_PCI_BAR0_REGION_INDEX;
  const buffer = Number(EDU_DMA_BUFFER_ADDR);
  await d.write(bar, BigInt(EDU_REG.DMA_SRC), u32(toRam ? buffer : Number(iova)));
  await d.write(bar, BigInt(EDU_REG.DMA_DST), u32(toRam ? Number(iova) : buffer));
  await d.write(bar, BigInt(EDU_REG.DMA_COUNT), u32(count));
  await d.write(bar, BigInt(EDU_REG.DMA_CMD), u32(EDU_DMA_CMD_START | (toRam ? EDU_DMA_CMD_TO_RAM : 0)));
  clock.advance(200);
  await d.read(bar, BigInt(EDU_REG.DMA_CMD), 4);
}

/** edu copies `count` bytes RAM → its buffer → RAM, from IOVA `from` to IOVA `to`. */
export async function eduCopy(d: Device, clock: ManualClock, from: bigint, to: bigint, count: number): Promise<void> {
  await eduDma(d, clock, from, count, false);
  await eduDma(d, clock, to, count, true);
}

/** DMA requests of the edu at `bdf` that the IOMMU refused */
export function eduFaults(host: SimHost, bdf: string): number {
  return (host.kernel.functions.get(bdf)!.model as EduModel).dmaFaults;
}
