/**
 * IRQ indexes of a vfio-pci device (vfio_pci_core.c GET_IRQ_INFO,
 * vfio_pci_intrs.c SET_IRQS): counts and flags derived from the device's
 * capabilities, one active index at a time, INTx-only masking (MASK/UNMASK of
 * MSI/MSI-X are not implemented: ENOTTY once the header validates), and
 * disabling with count 0.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_REQ_IRQ_INDEX,
} from '@vfioscope/uapi';
import type { EventFd } from '../drive.ts';
import { eduPair, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';
import { capabilities, PCI_CAP_ID_EXP, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX } from './regions-config.ts';
import { eduAckAll, readU16le } from './edu-regs.ts';
import { collectEvents } from './wait.ts';
import { disableIndex, setIrqEventfds, setIrqNone, unmaskIntx, wireTrigger } from './irq-set.ts';

const EVENTFD_NORESIZE = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
const PCI_MSI_FLAGS = 2;
/** Multiple Message Capable: log2 of the MSI vectors the function supports */
const PCI_MSI_FLAGS_QMASK = 0x000e;
const PCI_MSIX_FLAGS = 2;
const PCI_MSIX_FLAGS_QSIZE = 0x07ff;

export function irqs(ctx: SuiteContext): void {
  describe('IRQ info', () => {
    it('INTx: count 1, EVENTFD|MASKABLE|AUTOMASKED', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const intx = await device.irqInfo(VFIO_PCI_INTX_IRQ_INDEX);
      expect(intx).toEqual({
        index: VFIO_PCI_INTX_IRQ_INDEX,
        count: 1,
        flags: VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
      });
    });

    it('MSI and MSI-X: EVENTFD|NORESIZE, counts as the MSI / MSI-X capabilities in config space say', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const caps = await capabilities(device);
      const msi = await device.irqInfo(VFIO_PCI_MSI_IRQ_INDEX);
      const msix = await device.irqInfo(VFIO_PCI_MSIX_IRQ_INDEX);
      expect(msi.flags).toBe(EVENTFD_NORESIZE);
      expect(msix.flags).toBe(EVENTFD_NORESIZE);
      const msiAt = caps.get(PCI_CAP_ID_MSI);
      const msixAt = caps.get(PCI_CAP_ID_MSIX);
      const cfgWord = async (at: number) => readU16le(await device.read(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(at), 2));
      const msiCount = msiAt === undefined ? 0 : 1 << (((await cfgWord(msiAt + PCI_MSI_FLAGS)) & PCI_MSI_FLAGS_QMASK) >> 1);
      const msixCount = msixAt === undefined ? 0 : ((await cfgWord(msixAt + PCI_MSIX_FLAGS)) & PCI_MSIX_FLAGS_QSIZE) + 1;
      expect(msi.count).toBe(msiCount);
      expect(msix.count).toBe(msixCount);
      // edu: one MSI vector, no MSI-X
      expect([msi.count, msix.count]).toEqual([1, 0]);
    });

    it('ERR exists only on PCI Express devices (info and SET_IRQS fail with EINVAL on edu); REQ is count 1, EVENTFD|NORESIZE', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const caps = await capabilities(device);
      expect(caps.has(PCI_CAP_ID_EXP)).toBe(false);
      await expectErrno(device.irqInfo(VFIO_PCI_ERR_IRQ_INDEX), 'EINVAL');
      const efd = await ctx.scope().eventFd();
      await expectErrno(setIrqEventfds(device, VFIO_PCI_ERR_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, [efd]), 'EINVAL');
      expect(await device.irqInfo(VFIO_PCI_REQ_IRQ_INDEX)).toEqual({
        index: VFIO_PCI_REQ_IRQ_INDEX,
        count: 1,
        flags: EVENTFD_NORESIZE,
      });
    });

    it('an IRQ index past the last fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await expectErrno(device.irqInfo(VFIO_PCI_NUM_IRQS), 'EINVAL');
    });
  });

  describe('SET_IRQS', () => {
    it('a vector range outside the index (start or count past its count) fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      const efd = await scope.eventFd();
      const trigger = (start: number, fds: EventFd[]) =>
        setIrqEventfds(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, fds, start);
      await expectErrno(trigger(1, [efd]), 'EINVAL');
      await expectErrno(trigger(0, [efd, efd]), 'EINVAL');
      // edu has no MSI-X: every vector of that index is out of range
      await expectErrno(setIrqEventfds(device, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, [efd]), 'EINVAL');
    });

    it('UNMASK or MASK of INTx before it is enabled fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await expectErrno(unmaskIntx(device), 'EINVAL');
      await expectErrno(setIrqNone(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK), 'EINVAL');
    });

    it('MASK/UNMASK of MSI fails with ENOTTY (not implemented by vfio-pci); of absent MSI-X vectors with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await wireTrigger(scope, device, VFIO_PCI_MSI_IRQ_INDEX);
      for (const action of [VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK]) {
        await expectErrno(setIrqNone(device, VFIO_PCI_MSI_IRQ_INDEX, action), 'ENOTTY');
        await expectErrno(setIrqNone(device, VFIO_PCI_MSIX_IRQ_INDEX, action), 'EINVAL');
      }
    });

    it('only one index is active at a time: enabling MSI while INTx is enabled fails with EINVAL, and vice versa', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      const efd = await scope.eventFd();
      await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      const enableMsi = () => setIrqEventfds(device, VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, [efd]);
      await expectErrno(enableMsi(), 'EINVAL');
      await disableIndex(device, VFIO_PCI_INTX_IRQ_INDEX);
      await enableMsi();
      scope.disableIrqAtTeardown(device, VFIO_PCI_MSI_IRQ_INDEX);
      const other = await scope.eventFd();
      await expectErrno(setIrqEventfds(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, [other]), 'EINVAL');
    });

    it('the REQ trigger is independent of the active index: it can be wired while INTx is enabled', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      const req = await wireTrigger(scope, device, VFIO_PCI_REQ_IRQ_INDEX);
      await setIrqNone(device, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER);
      expect(await collectEvents(req, 1)).toBe(1);
    });

    it('DATA_NONE|TRIGGER on an enabled index signals its eventfd once (loopback)', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      await setIrqNone(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER);
      expect(await collectEvents(efd, 1)).toBe(1);
    });

    it('DATA_NONE|TRIGGER with count 0 disables the enabled index; disabling it again fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const { device } = await scope.openStack(edu);
      await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      await disableIndex(device, VFIO_PCI_INTX_IRQ_INDEX);
      await expectErrno(disableIndex(device, VFIO_PCI_INTX_IRQ_INDEX), 'EINVAL');
      await expectErrno(unmaskIntx(device), 'EINVAL');
    });
  });
}
