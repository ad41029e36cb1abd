import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinuxHost } from '../linux-host.ts';
import { FakeTree } from './fake-tree.test-helper.ts';
import { readOwners, vfioFdsOf } from './proc-owners.ts';
import { cdevDevice, cdevNameOf } from './vfio-cdev.ts';

let tree: FakeTree;

beforeEach(() => {
  // the 6.12 bed: edus with cdevs vfio0..2, one of them in the bridge group with an e1000
  tree = new FakeTree();
  tree.pci({ bdf: '0000:00:04.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 4, cdev: 0 });
  tree.pci({ bdf: '0000:00:05.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 5, cdev: 1 });
  tree.pci({ bdf: '0000:00:06.0', vendor: 0x1b36, device: 0x0001, klass: 0x060400, group: 6 });
  tree.pci({ bdf: '0000:01:01.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 6, cdev: 2 });
  tree.pci({ bdf: '0000:01:02.0', vendor: 0x8086, device: 0x100e, klass: 0x020000, driver: 'e1000', group: 6 });
});

afterEach(() => tree.remove());

const none = { vmLckKb: 0, vmPinKb: 0, memlock: 'unlimited' };

describe('the VFIO device cdev in sysfs', () => {
  it('names the cdev of a device and the device and group behind a cdev', () => {
    expect(cdevNameOf(tree.roots, '0000:00:04.0')).toBe('vfio0');
    expect(cdevNameOf(tree.roots, '0000:01:02.0')).toBeNull();
    expect(cdevNameOf(tree.roots, '../../../etc')).toBeNull();
    expect(cdevDevice(tree.roots, 'vfio2')).toEqual({ bdf: '0000:01:01.0', group: 6 });
    expect(cdevDevice(tree.roots, 'vfio9')).toBeNull();
  });
});

describe('owners through the device cdev (iommufd)', () => {
  it("a QEMU with -object iommufd holds its device's group via 'cdev', with its pinned memory", async () => {
    const dev = tree.roots.dev;
    tree.process(4242, {
      comm: 'qemu-system-x86',
      cmdline: [
        'qemu-system-x86_64',
        '-name',
        'vm1',
        '-object',
        'iommufd,id=iommufd0',
        '-device',
        'vfio-pci,host=00:04.0,iommufd=iommufd0',
      ],
      fds: [join(dev, 'iommu'), join(dev, 'vfio/devices/vfio0'), '/dev/null'],
      vmLckKb: 0,
      vmPinKb: 4096,
      memlock: '16777216',
    });
    const owners = await createLinuxHost({ roots: tree.roots }).owners();
    expect(owners).toEqual([
      {
        group: 4,
        via: 'cdev',
        pid: 4242,
        comm: 'qemu-system-x86',
        cmdline: 'qemu-system-x86_64 -name vm1 -object iommufd,id=iommufd0 -device vfio-pci,host=00:04.0,iommufd=iommufd0',
        self: false,
        lockedBytes: 0,
        pinnedBytes: 4096 * 1024,
        memlockLimit: 16777216,
      },
    ]);
  });

  it('a cdev holds the whole group of its device; group files keep showing as today beside cdev holders', async () => {
    const dev = tree.roots.dev;
    tree.process(10, { comm: 'dpdk', cmdline: ['dpdk'], fds: [join(dev, 'iommu'), join(dev, 'vfio/devices/vfio2')], ...none });
    tree.process(11, { comm: 'qemu', cmdline: ['qemu'], fds: [join(dev, 'vfio/vfio'), join(dev, 'vfio/5')], ...none });
    const owners = await createLinuxHost({ roots: tree.roots }).owners();
    expect(owners.map((o) => [o.group, o.via, o.pid])).toEqual([
      [5, 'group', 11],
      [6, 'cdev', 10],
    ]);
  });

  it('one owner per group and process: the group file wins over a cdev of the same group', async () => {
    const dev = tree.roots.dev;
    tree.process(12, {
      comm: 'both',
      cmdline: ['both'],
      fds: [join(dev, 'vfio/4'), join(dev, 'vfio/devices/vfio0'), join(dev, 'vfio/devices/vfio1'), join(dev, 'iommu')],
      ...none,
    });
    const owners = await createLinuxHost({ roots: tree.roots }).owners();
    expect(owners.map((o) => [o.group, o.via])).toEqual([
      [4, 'group'],
      [5, 'cdev'],
    ]);
  });

  it('/dev/iommu alone owns nothing; a cdev whose device left VFIO (no class link) is skipped; this process is self', async () => {
    const dev = tree.roots.dev;
    tree.process(13, { comm: 'idle', cmdline: ['idle'], fds: [join(dev, 'iommu')], ...none });
    tree.process(14, { comm: 'stale', cmdline: ['stale'], fds: [join(dev, 'vfio/devices/vfio7')], ...none });
    tree.process(15, { comm: 'vfioscope', cmdline: ['node'], fds: [join(dev, 'iommu'), join(dev, 'vfio/devices/vfio1')], ...none });
    expect(vfioFdsOf(tree.roots, '13')).toEqual({ groups: [], cdevs: [], container: false, iommufd: true });
    expect(vfioFdsOf(tree.roots, '14')).toEqual({ groups: [], cdevs: ['vfio7'], container: false, iommufd: false });
    const owners = await createLinuxHost({ roots: tree.roots }).owners();
    expect(owners.map((o) => [o.group, o.via, o.pid])).toEqual([[5, 'cdev', 15]]);
    expect(readOwners(tree.roots, 15)[0]).toMatchObject({ self: true, via: 'cdev' });
  });
});
