/**
 * The native iommufd path for the linux-only kernel tests (6.12 guests):
 * /dev/iommu, an IOAS, one edu opened through its cdev, bound and attached,
 * INTx wired to an eventfd through the cdev fd, `pages` pages mapped at
 * DMA_IOVA — the iommufd counterpart of openEduStack. Plus what the tests
 * need of edu's DMA engine (QEMU docs/specs/edu.rst; the conformance suite's
 * edu-regs.ts has the same registers).
 */
import type { CdevDevice, Device, DmaBuffer, EventFd, Host, Ioas, Iommufd } from '@vfioscope/host';
import {
  IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_MAP_WRITEABLE,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
} from '@vfioscope/uapi';
import { DMA_IOVA, eduWrite, waitFor } from './edu-stack.ts';

export const EDU_DMA_SRC = 0x80;
export const EDU_DMA_DST = 0x88;
export const EDU_DMA_COUNT = 0x90;
export const EDU_DMA_CMD = 0x98;
export const EDU_DMA_CMD_START = 0x01;
/** direction: 0 RAM → edu, 1 edu → RAM */
export const EDU_DMA_CMD_TO_RAM = 0x02;
/** edu's own 4 KiB buffer, in its DMA address space */
export const EDU_DMA_BUFFER = 0x40000;
const PCI_COMMAND = 0x04;
const PCI_COMMAND_MASTER = 0x4;

export interface CdevStack {
  iommufd: Iommufd;
  ioas: Ioas;
  device: CdevDevice;
  devid: number;
  ptId: number;
  intx: EventFd;
  buffer: DmaBuffer;
}

export async function eduRead(device: CdevDevice, reg: number): Promise<number> {
  const b = await device.read(VFIO_PCI_BAR0_REGION_INDEX, BigInt(reg), 4);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

/** Bus Master Enable: edu's DMA (and MSI, a memory write) needs it */
export async function setBusMaster(device: Device): Promise<void> {
  const cfg = VFIO_PCI_CONFIG_REGION_INDEX;
  const b = await device.read(cfg, BigInt(PCI_COMMAND), 2);
  const command = new DataView(b.buffer, b.byteOffset, 2).getUint16(0, true);
  const next = new Uint8Array(2);
  new DataView(next.buffer).setUint16(0, command | PCI_COMMAND_MASTER, true);
  await device.write(cfg, BigInt(PCI_COMMAND), next);
}

/** One transfer of edu's DMA engine (count ≤ 4095, addresses < 2^28); resolves to the command register once the start bit clears. */
export async function eduDma(device: CdevDevice, t: { src: bigint | number; dst: bigint | number; count: number; toRam: boolean }) {
  await eduWrite(device, EDU_DMA_SRC, Number(t.src));
  await eduWrite(device, EDU_DMA_DST, Number(t.dst));
  await eduWrite(device, EDU_DMA_COUNT, t.count);
  await eduWrite(device, EDU_DMA_CMD, EDU_DMA_CMD_START | (t.toRam ? EDU_DMA_CMD_TO_RAM : 0));
  return waitFor(
    () => eduRead(device, EDU_DMA_CMD),
    (cmd) => (cmd & EDU_DMA_CMD_START) === 0,
  );
}

export async function openCdevStack(host: Host, bdf: string, pages = 1): Promise<CdevStack> {
  const iommufd = await host.openIommufd();
  const ioas = await iommufd.allocIoas();
  const device = await host.openDeviceCdev(bdf);
  const devid = await device.bind(iommufd);
  const ptId = await device.attach(ioas.id);
  const intx = await host.createEventFd();
  await device.setIrqs({
    index: VFIO_PCI_INTX_IRQ_INDEX,
    start: 0,
    count: 1,
    action: VFIO_IRQ_SET_ACTION_TRIGGER,
    data: { type: 'eventfd', fds: [intx] },
  });
  const size = BigInt(pages * host.pageSize);
  const buffer = await host.allocDmaBuffer(size);
  await ioas.map({ vaddr: buffer.vaddr, iova: DMA_IOVA, size, flags: IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE });
  return { iommufd, ioas, device, devid, ptId, intx, buffer };
}
