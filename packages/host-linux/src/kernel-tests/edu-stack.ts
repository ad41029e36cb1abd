/**
 * Helpers for the linux-only kernel tests (QEMU guest): bring one edu device
 * up through the whole VFIO stack, wire its INTx to an eventfd, map a DMA
 * buffer, raise an interrupt with a BAR0 write (edu register 0x60).
 */
import type { Container, Device, DmaBuffer, EventFd, Group, Host } from '@vfioscope/host';
import {
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';

export const EDU_IRQ_RAISE = 0x60;
export const EDU_IRQ_ACK = 0x64;
export const DMA_IOVA = 0x10_0000n;

export interface EduStack {
  container: Container;
  group: Group;
  device: Device;
  intx: EventFd;
  buffer: DmaBuffer;
}

export async function eduWrite(device: Device, reg: number, value: number): Promise<void> {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  await device.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(reg), b);
}

/** container + group + TYPE1v2 + device, INTx wired, `pages` pages mapped at DMA_IOVA */
export async function openEduStack(host: Host, edu: { bdf: string; group: number }, pages = 4): Promise<EduStack> {
  const container = await host.openContainer();
  const group = await host.openGroup(edu.group);
  await group.setContainer(container);
  await container.setIommu(VFIO_TYPE1v2_IOMMU);
  const device = await group.openDevice(edu.bdf);
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
  await container.mapDma({ vaddr: buffer.vaddr, iova: DMA_IOVA, size, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE });
  return { container, group, device, intx, buffer };
}

export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
