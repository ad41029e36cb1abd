/**
 * VFIO_DEVICE_RESET (vfio_pci_core.c): offered only when the device flags
 * carry VFIO_DEVICE_FLAGS_RESET; otherwise EINVAL. edu has no reset method
 * (no FLR, no PM reset, alone on its bus), so the kernel refuses it.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_FLAGS_RESET } from '@vfioscope/uapi';
import { eduPair, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';
import { EDU, EDU_ID_1_0, eduRead } from './edu-regs.ts';

export function reset(ctx: SuiteContext): void {
  describe('reset', () => {
    it('edu does not offer VFIO_DEVICE_FLAGS_RESET and VFIO_DEVICE_RESET fails with EINVAL, leaving the device usable', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      expect((await device.info()).flags & VFIO_DEVICE_FLAGS_RESET).toBe(0);
      await expectErrno(device.reset(), 'EINVAL');
      expect(await eduRead(device, EDU.ID)).toBe(EDU_ID_1_0);
    });
  });
}
