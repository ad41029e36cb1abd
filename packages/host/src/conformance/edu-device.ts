/**
 * QEMU's edu device driven through VFIO (docs/specs/edu.rst): its registers,
 * its DMA engine through the IOMMU (only with Bus Master enabled), and its
 * interrupt through INTx — auto-masked by vfio-pci when it fires — and MSI,
 * which like DMA is a bus-master write (QEMU sends it through the device's
 * bus-master address space), so it too needs Bus Master Enable.
 * Everything here is asynchronous on a real device, so results are polled.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX } from '@vfioscope/uapi';
import { eduPair, type SuiteContext } from './context.ts';
import {
  busMasterEnabled,
  EDU,
  EDU_DMA_BUFFER,
  EDU_DMA_CMD_START,
  EDU_ID_1_0,
  EDU_STATUS_COMPUTING,
  eduAckAll,
  eduDma,
  eduRead,
  eduWrite,
  setBusMaster,
} from './edu-regs.ts';
import { disableIndex, setIrqEventfds, setIrqNone, unmaskIntx, wireTrigger } from './irq-set.ts';
import { collectEvents, countDuring, pollUntil } from './wait.ts';

/** below edu's 28-bit DMA mask */
const DMA_IOVA = 0x10_0000n;
const TRANSFER = 256;
const BACK_OFFSET = 0x800n;

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

export function eduDevice(ctx: SuiteContext): void {
  describe('edu device', () => {
    it('identification register reads 0x010000ed', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      expect(await eduRead(device, EDU.ID)).toBe(EDU_ID_1_0);
    });

    it('liveness register returns the bitwise inverse of what was written', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      for (const value of [0x12345678, 0, 0xffffffff]) {
        await eduWrite(device, EDU.LIVENESS, value);
        expect(await eduRead(device, EDU.LIVENESS)).toBe(~value >>> 0);
      }
    });

    it('factorial register computes 5! = 120 once the computing bit clears', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await eduWrite(device, EDU.FACTORIAL, 5);
      const status = await pollUntil(
        () => eduRead(device, EDU.STATUS),
        (s) => (s & EDU_STATUS_COMPUTING) === 0,
      );
      expect(status & EDU_STATUS_COMPUTING).toBe(0);
      expect(await eduRead(device, EDU.FACTORIAL)).toBe(120);
    });

    it('two edu devices are independent: each keeps its own liveness value', async () => {
      const [a, b] = eduPair(ctx.target());
      const scope = ctx.scope();
      const { device: da } = await scope.openStack(a);
      const { device: db } = await scope.openStack(b);
      await eduWrite(da, EDU.LIVENESS, 0x0000aaaa);
      await eduWrite(db, EDU.LIVENESS, 0x00005555);
      expect(await eduRead(da, EDU.LIVENESS)).toBe(~0x0000aaaa >>> 0);
      expect(await eduRead(db, EDU.LIVENESS)).toBe(~0x00005555 >>> 0);
    });
  });

  describe('edu DMA through the IOMMU', () => {
    it('with Bus Master set, DMA copies RAM -> edu buffer -> RAM at mapped IOVAs', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { dma, device } = await scope.openStack(edu);
      const page = BigInt(ctx.target().host.pageSize);
      const buf = await scope.dmaBuffer(page);
      const data = pattern(TRANSFER);
      await buf.write(0n, data);
      await buf.write(BACK_OFFSET, new Uint8Array(TRANSFER));
      await dma.map({ vaddr: buf.vaddr, iova: DMA_IOVA, size: page });
      await setBusMaster(device, true);
      expect(await busMasterEnabled(device)).toBe(true);

      const toDevice = await eduDma(device, { src: DMA_IOVA, dst: EDU_DMA_BUFFER, count: TRANSFER, toRam: false });
      expect(toDevice & EDU_DMA_CMD_START).toBe(0);
      const toRam = await eduDma(device, { src: EDU_DMA_BUFFER, dst: DMA_IOVA + BACK_OFFSET, count: TRANSFER, toRam: true });
      expect(toRam & EDU_DMA_CMD_START).toBe(0);
      const back = await pollUntil(
        () => buf.read(BACK_OFFSET, TRANSFER),
        (bytes) => bytes.every((b, i) => b === data[i]),
      );
      expect(Array.from(back)).toEqual(Array.from(data));
    });

    it('without Bus Master the DMA engine completes but moves no data into RAM', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { dma, device } = await scope.openStack(edu);
      const page = BigInt(ctx.target().host.pageSize);
      const buf = await scope.dmaBuffer(page);
      await buf.write(0n, pattern(TRANSFER));
      await buf.write(BACK_OFFSET, new Uint8Array(TRANSFER));
      await dma.map({ vaddr: buf.vaddr, iova: DMA_IOVA, size: page });
      await setBusMaster(device, false);
      expect(await busMasterEnabled(device)).toBe(false);

      await eduDma(device, { src: DMA_IOVA, dst: EDU_DMA_BUFFER, count: TRANSFER, toRam: false });
      const cmd = await eduDma(device, { src: EDU_DMA_BUFFER, dst: DMA_IOVA + BACK_OFFSET, count: TRANSFER, toRam: true });
      expect(cmd & EDU_DMA_CMD_START).toBe(0);
      expect(Array.from(await buf.read(BACK_OFFSET, TRANSFER))).toEqual(Array.from(new Uint8Array(TRANSFER)));
    });

    it('the IOMMU stops DMA writes through a READ-only mapping and through a mapping that was unmapped', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { dma, device } = await scope.openStack(edu);
      const page = BigInt(ctx.target().host.pageSize);
      const source = await scope.dmaBuffer(page);
      const target = await scope.dmaBuffer(3n * page);
      await source.write(0n, pattern(TRANSFER));
      await dma.map({ vaddr: source.vaddr, iova: DMA_IOVA, size: page });
      // target page 0: READ-only; page 1: mapped then unmapped; page 2: READ|WRITE, the control
      await dma.map({ vaddr: target.vaddr, iova: DMA_IOVA + page, size: page, write: false });
      await dma.map({ vaddr: target.vaddr + page, iova: DMA_IOVA + 2n * page, size: page });
      expect(await dma.unmap(DMA_IOVA + 2n * page, page)).toBe(page);
      await dma.map({ vaddr: target.vaddr + 2n * page, iova: DMA_IOVA + 3n * page, size: page });
      await setBusMaster(device, true);

      await eduDma(device, { src: DMA_IOVA, dst: EDU_DMA_BUFFER, count: TRANSFER, toRam: false });
      for (let i = 1n; i <= 3n; i++) {
        await eduDma(device, { src: EDU_DMA_BUFFER, dst: DMA_IOVA + i * page, count: TRANSFER, toRam: true });
      }
      const control = await pollUntil(
        () => target.read(2n * page, TRANSFER),
        (bytes) => bytes.every((b, i) => b === pattern(TRANSFER)[i]),
      );
      expect(Array.from(control)).toEqual(Array.from(pattern(TRANSFER)));
      const zeros = Array.from(new Uint8Array(TRANSFER));
      expect(Array.from(await target.read(0n, TRANSFER))).toEqual(zeros);
      expect(Array.from(await target.read(page, TRANSFER))).toEqual(zeros);
    });
  });

  describe('edu interrupts', () => {
    it('INTx fires once, auto-masks until UNMASK, then the pending interrupt arrives', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);

      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      // the line stays asserted until acked, but vfio-pci masked it when it fired: exactly one event
      expect(await collectEvents(efd, 1)).toBe(1);
      expect(await eduRead(device, EDU.IRQ_STATUS)).toBe(0x1);

      await eduWrite(device, EDU.IRQ_ACK, 0x1);
      await eduWrite(device, EDU.IRQ_RAISE, 0x2);
      expect(await countDuring(efd)).toBe(0);

      await unmaskIntx(device);
      expect(await collectEvents(efd, 1)).toBe(1);
      await eduWrite(device, EDU.IRQ_ACK, 0x2);
      expect(await eduRead(device, EDU.IRQ_STATUS)).toBe(0);

      // acked before unmasking: nothing is pending, and the next raise is delivered
      await unmaskIntx(device);
      expect(await countDuring(efd)).toBe(0);
      await eduWrite(device, EDU.IRQ_RAISE, 0x4);
      expect(await collectEvents(efd, 1)).toBe(1);
      await eduWrite(device, EDU.IRQ_ACK, 0x4);
    });

    it('INTx unmasked through an unmask eventfd (irqfd): signalling it re-arms the line', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      const unmaskFd = await scope.eventFd();
      await setIrqEventfds(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, [unmaskFd]);
      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      expect(await collectEvents(efd, 1)).toBe(1);
      await eduWrite(device, EDU.IRQ_ACK, 0x1);
      await eduWrite(device, EDU.IRQ_RAISE, 0x2);
      expect(await countDuring(efd)).toBe(0);
      await unmaskFd.signal(1);
      expect(await collectEvents(efd, 1)).toBe(1);
      await eduWrite(device, EDU.IRQ_ACK, 0x2);
    });

    it('INTx masked with ACTION_MASK delivers nothing until UNMASK', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      await setIrqNone(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK);
      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      expect(await countDuring(efd)).toBe(0);
      await unmaskIntx(device);
      expect(await collectEvents(efd, 1)).toBe(1);
      await eduWrite(device, EDU.IRQ_ACK, 0x1);
    });

    it('MSI is edge-triggered: with Bus Master set, every raise is delivered, with no unmask in between', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      // an MSI is a memory write by the device: it needs Bus Master Enable like DMA does
      await setBusMaster(device, true);
      const efd = await wireTrigger(scope, device, VFIO_PCI_MSI_IRQ_INDEX);
      for (const bit of [0x1, 0x2, 0x4]) {
        await eduWrite(device, EDU.IRQ_RAISE, bit);
        expect(await collectEvents(efd, 1)).toBe(1);
        await eduWrite(device, EDU.IRQ_ACK, bit);
      }
    });

    it('MSI without Bus Master: the message write never leaves the device, no eventfd counts', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      await setBusMaster(device, false);
      const efd = await wireTrigger(scope, device, VFIO_PCI_MSI_IRQ_INDEX);
      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      expect(await countDuring(efd)).toBe(0);
      await eduWrite(device, EDU.IRQ_ACK, 0x1);
    });

    it('after INTx is disabled (count 0) a raised interrupt reaches no eventfd', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      await disableIndex(device, VFIO_PCI_INTX_IRQ_INDEX);
      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      expect(await countDuring(efd)).toBe(0);
      await eduWrite(device, EDU.IRQ_ACK, 0x1);
    });
  });
}
