/**
 * What the guest kernel says about resetting the bed's edu (QEMU guest of
 * e2e/kernel): QEMU's edu has neither PCIe FLR nor a PM capability and sits
 * on the root bus, so the PCI core has no reset method for it — sysfs hides
 * reset_method (pci_dev_reset_method_attr_is_visible), VFIO offers no
 * VFIO_DEVICE_RESET (EINVAL) — and no slot or bus reset can reach it:
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and VFIO_DEVICE_PCI_HOT_RESET answer
 * ENODEV (vfio_pci_core.c: pci_probe_reset_slot and pci_probe_reset_bus
 * both fail on a root bus). The sim models the same (vfio-pci-hot-reset.ts).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_FLAGS_RESET } from '@vfioscope/uapi';
import { openEduStack } from './kernel-tests/edu-stack.ts';
import { createLinuxHost } from './linux-host.ts';

const EDU = { vendorId: 0x1234, deviceId: 0x11e8 };

async function loneEdu(host: ReturnType<typeof createLinuxHost>) {
  const { devices, groups } = await host.topology();
  const edu = devices.find(
    (d) => d.vendorId === EDU.vendorId && d.deviceId === EDU.deviceId && groups.find((g) => g.id === d.iommuGroup)?.devices.length === 1,
  )!;
  return edu;
}

describe("reset on the bed's edu", () => {
  it('has no reset_method: the attribute is absent, the list empty', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    expect(existsSync(`/sys/bus/pci/devices/${edu.bdf}/reset_method`)).toBe(false);
    expect(edu.resetMethods).toEqual([]);
    await host.close();
  });

  it('offers no VFIO_DEVICE_RESET (EINVAL) and no hot reset: GET_PCI_HOT_RESET_INFO and PCI_HOT_RESET are ENODEV', async () => {
    const host = createLinuxHost();
    const edu = await loneEdu(host);
    const stack = await openEduStack(host, { bdf: edu.bdf, group: edu.iommuGroup! });
    expect((await stack.device.info()).flags & VFIO_DEVICE_FLAGS_RESET).toBe(0);
    await expect(stack.device.reset()).rejects.toMatchObject({ errno: 'EINVAL', op: 'VFIO_DEVICE_RESET' });
    await expect(stack.device.hotResetInfo()).rejects.toMatchObject({ errno: 'ENODEV', op: 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO' });
    await expect(stack.device.hotReset([stack.group])).rejects.toMatchObject({ errno: 'ENODEV', op: 'VFIO_DEVICE_PCI_HOT_RESET' });
    await host.close();
  });
});
