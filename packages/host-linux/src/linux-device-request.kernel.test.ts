/**
 * An operator (or libvirt, or a hot-unplug) unbinding a device a VFIO user
 * holds, on the real kernel (QEMU guest of e2e/kernel): the sysfs write does
 * not fail, it waits in vfio_unregister_group_dev() (drivers/vfio/vfio_main.c)
 * until every fd of the device is closed, asking the user to let go through
 * VFIO's REQ interrupt (drivers/vfio/pci/vfio_pci_core.c
 * vfio_pci_core_request(): the REQ eventfd, and "Relaying device request to
 * user (#0)" in the kernel log). vfioscope's own bindDriver refuses instead
 * of waiting (EBUSY): a wait would stop the server for as long as the holder
 * keeps the device.
 */
import { spawn } from 'node:child_process';
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_REQ_IRQ_INDEX } from '@vfioscope/uapi';
import { openEduStack, waitFor } from './kernel-tests/edu-stack.ts';
import { createLinuxHost } from './linux-host.ts';

const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };

describe('a device request: unbinding a held device', () => {
  it('fires the holder’s REQ eventfd and logs it against the device; the unbind finishes when the device is released', async () => {
    const host = createLinuxHost();
    const { devices, groups } = await host.topology();
    const edu = devices.find(
      (d) => d.vendorId === EDU.vendorId && d.deviceId === EDU.deviceId && groups.find((g) => g.id === d.iommuGroup)?.devices.length === 1,
    )!;
    const driverLink = `/sys/bus/pci/devices/${edu.bdf}/driver`;
    try {
      const { device } = await openEduStack(host, { bdf: edu.bdf, group: edu.iommuGroup! });
      const req = await host.createEventFd();
      await device.setIrqs({
        index: VFIO_PCI_REQ_IRQ_INDEX,
        start: 0,
        count: 1,
        action: VFIO_IRQ_SET_ACTION_TRIGGER,
        data: { type: 'eventfd', fds: [req] },
      });
      const log = await host.kernelLog(-1);
      if (!log.ok) throw new Error(log.reason);

      await expect(host.bindDriver(edu.bdf, null)).rejects.toMatchObject({ errno: 'EBUSY' });
      expect(existsSync(driverLink)).toBe(true);

      // what an operator's shell does: the write waits in the kernel
      const unbind = spawn('sh', ['-c', `echo ${edu.bdf} > ${driverLink}/unbind`], { stdio: 'ignore' });
      const unbound = new Promise<number | null>((resolve) => unbind.once('exit', (code) => resolve(code)));
      const requests = await waitFor(
        () => req.drain(),
        (n) => n > 0,
        30_000,
      );
      expect(requests).toBeGreaterThanOrEqual(1);
      const after = await waitFor(
        () => host.kernelLog(log.nextSeq),
        (r) => r.ok && r.records.some((x) => x.message?.kind === 'device-request'),
        10_000,
      );
      expect(after.ok && after.records.find((x) => x.message?.kind === 'device-request')?.message).toEqual({
        kind: 'device-request',
        bdf: edu.bdf,
        text: `vfio-pci ${edu.bdf}: Relaying device request to user (#0)`,
      });
      expect(unbind.exitCode).toBeNull();

      await host.close();
      expect(await unbound).toBe(0);
      expect(existsSync(driverLink)).toBe(false);
    } finally {
      await host.close();
      // driver_override still names vfio-pci: a probe binds it back for the files after this one
      if (!existsSync(driverLink)) writeFileSync('/sys/bus/pci/drivers_probe', edu.bdf);
    }
    expect(readlinkSync(driverLink).endsWith('/vfio-pci')).toBe(true);
  }, 120_000);
});
