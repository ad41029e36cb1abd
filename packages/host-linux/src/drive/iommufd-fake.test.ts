/**
 * The iommufd drive path on a fake tree: no kernel answers, but the path
 * from a BDF to its cdev, the errors and ownership of what was opened are
 * ours. Regular files stand in for /dev/iommu and the cdev: they open, and
 * every ioctl on them is ENOTTY — which names the op each call makes.
 */
import type { Iommufd } from '@vfioscope/host';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinuxHost, type LinuxHost } from '../linux-host.ts';
import { FakeTree } from '../observe/fake-tree.test-helper.ts';
import { LinuxCdevDevice } from './linux-cdev-device.ts';

let tree: FakeTree;
let host: LinuxHost;

beforeEach(() => {
  tree = new FakeTree();
  tree.pci({ bdf: '0000:00:04.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 4, cdev: 0 });
  tree.pci({ bdf: '0000:00:05.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 5, cdev: 1 });
  tree.pci({ bdf: '0000:00:07.0', vendor: 0x8086, device: 0x10d3, klass: 0x020000, driver: 'e1000e', group: 7 });
  host = createLinuxHost({ roots: tree.roots });
});

afterEach(async () => {
  await host.close().catch(() => undefined);
  tree.remove();
});

describe('opening iommufd and device cdevs', () => {
  it('ENOENT without /dev/iommu, or for a device without a cdev, a malformed BDF, or a cdev without its node', async () => {
    await expect(host.openIommufd()).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
    await expect(host.openDeviceCdev('0000:00:07.0')).rejects.toMatchObject({
      errno: 'ENOENT',
      op: 'open',
      context: { device: '0000:00:07.0' },
    });
    await expect(host.openDeviceCdev('0000:09:00.0')).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
    await expect(host.openDeviceCdev('../0000:00:04.0')).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
    // sysfs has vfio-dev/vfio1 but /dev/vfio/devices/vfio1 does not exist (a kernel without CONFIG_VFIO_DEVICE_CDEV)
    await expect(host.openDeviceCdev('0000:00:05.0')).rejects.toMatchObject({ errno: 'ENOENT', op: 'open' });
  });

  it('each call is its ioctl: errors carry the ioctl name, the object and the errno the fd gave', async () => {
    tree.devNode('iommu');
    tree.devNode('vfio/devices/vfio0');
    const iommufd = await host.openIommufd();
    await expect(iommufd.allocIoas()).rejects.toMatchObject({ errno: 'ENOTTY', op: 'IOMMU_IOAS_ALLOC', context: { iommufd: iommufd.id } });
    const device = await host.openDeviceCdev('0000:00:04.0');
    expect(device).toBeInstanceOf(LinuxCdevDevice);
    expect(device).toMatchObject({ name: '0000:00:04.0', group: 4, cdev: 'vfio0' });
    const ctx = { device: '0000:00:04.0', group: 4, cdev: 'vfio0' };
    await expect(device.bind(iommufd)).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_BIND_IOMMUFD', context: ctx });
    await expect(device.attach(1)).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT' });
    await expect(device.detach()).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT' });
    // the device ioctls a group's device fd makes, on the cdev fd
    await expect(device.info()).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_GET_INFO', context: ctx });
    await expect(device.reset()).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_RESET' });
    await expect(device.irqInfo(0)).rejects.toMatchObject({ errno: 'ENOTTY', op: 'VFIO_DEVICE_GET_IRQ_INFO' });
  });

  it('binding to something that is not an open iommufd of this host is EBADF; a closed object is EBADF', async () => {
    tree.devNode('iommu');
    tree.devNode('vfio/devices/vfio0');
    const device = await host.openDeviceCdev('0000:00:04.0');
    const foreign: Iommufd = { id: 3, allocIoas: async () => Promise.reject(new Error('no')), close: async () => undefined };
    await expect(device.bind(foreign)).rejects.toMatchObject({ errno: 'EBADF', op: 'VFIO_DEVICE_BIND_IOMMUFD' });
    const iommufd = await host.openIommufd();
    await iommufd.close();
    await expect(device.bind(iommufd)).rejects.toMatchObject({ errno: 'EBADF', op: 'VFIO_DEVICE_BIND_IOMMUFD' });
    await expect(iommufd.allocIoas()).rejects.toMatchObject({ errno: 'EBADF', op: 'IOMMU_IOAS_ALLOC' });
    await expect(iommufd.close()).rejects.toMatchObject({ errno: 'EBADF', op: 'close' });
    await device.close();
    await expect(device.info()).rejects.toMatchObject({ errno: 'EBADF', op: 'VFIO_DEVICE_GET_INFO' });
  });

  it('close() releases the iommufd and the cdev fd it opened, and refuses new ones', async () => {
    tree.devNode('iommu');
    tree.devNode('vfio/devices/vfio0');
    const iommufd = await host.openIommufd();
    const device = await host.openDeviceCdev('0000:00:04.0');
    await host.close();
    await expect(iommufd.allocIoas()).rejects.toMatchObject({ errno: 'EBADF' });
    await expect(device.info()).rejects.toMatchObject({ errno: 'EBADF' });
    await expect(host.openIommufd()).rejects.toMatchObject({ errno: 'EBADF', op: 'open' });
    await expect(host.openDeviceCdev('0000:00:04.0')).rejects.toMatchObject({ errno: 'EBADF', op: 'open' });
  });
});
