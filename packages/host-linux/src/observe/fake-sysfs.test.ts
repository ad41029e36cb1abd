import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinuxHost } from '../linux-host.ts';
import { FakeTree } from './fake-tree.test-helper.ts';

let tree: FakeTree;

beforeEach(() => {
  tree = new FakeTree();
  // the test bed's topology: two lone edus, an edu and an e1000 behind a bridge, an e1000e
  tree.pci({ bdf: '0000:00:04.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', override: 'vfio-pci', group: 4 });
  tree.pci({ bdf: '0000:00:05.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 5, numa: 0 });
  tree.pci({ bdf: '0000:00:06.0', vendor: 0x1b36, device: 0x0001, klass: 0x060400, group: 6 });
  tree.pci({ bdf: '0000:01:01.0', vendor: 0x1234, device: 0x11e8, driver: 'vfio-pci', group: 6 });
  tree.pci({ bdf: '0000:01:02.0', vendor: 0x8086, device: 0x100e, klass: 0x020000, driver: 'e1000', group: 6, resetMethod: '' });
  tree.pci({ bdf: '0000:00:07.0', vendor: 0x8086, device: 0x10d3, klass: 0x020000, driver: 'e1000e', group: 7, resetMethod: 'flr bus' });
  tree.pci({ bdf: '0000:00:07.1', vendor: 0x8086, device: 0x10ed, driver: 'ixgbevf', physfn: '0000:00:07.0' });
});

afterEach(() => tree.remove());

describe('topology from a fake sysfs', () => {
  it('reads PCI identity, driver, override, NUMA node and group', async () => {
    const { devices } = await createLinuxHost({ roots: tree.roots }).topology();
    expect(devices.map((d) => d.bdf)).toEqual([
      '0000:00:04.0',
      '0000:00:05.0',
      '0000:00:06.0',
      '0000:00:07.0',
      '0000:00:07.1',
      '0000:01:01.0',
      '0000:01:02.0',
    ]);
    const edu = devices[0]!;
    expect(edu).toMatchObject({
      vendorId: 0x1234,
      deviceId: 0x11e8,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0xff00,
      driver: 'vfio-pci',
      driverOverride: 'vfio-pci',
      numaNode: -1,
      iommuGroup: 4,
      deviceName: 'QEMU edu test device',
    });
    expect(devices[1]).toMatchObject({ driverOverride: null, numaNode: 0 });
    expect(devices[2]).toMatchObject({ driver: null, classCode: 0x060400 });
    expect(devices[4]).toMatchObject({ physfn: '0000:00:07.0', iommuGroup: null });
  });

  it("reads reset_method in the kernel's order; an absent or empty attribute is no reset", async () => {
    const { devices } = await createLinuxHost({ roots: tree.roots }).topology();
    const methods = Object.fromEntries(devices.map((d) => [d.bdf, d.resetMethods]));
    expect(methods['0000:00:07.0']).toEqual(['flr', 'bus']);
    expect(methods['0000:00:04.0']).toEqual([]);
    expect(methods['0000:01:02.0']).toEqual([]);
  });

  it('computes viability like the kernel: a host driver that owns DMA blocks the group', async () => {
    const { groups } = await createLinuxHost({ roots: tree.roots }).topology();
    expect(groups.map((g) => [g.id, g.devices, g.viable, g.blockers])).toEqual([
      [4, ['0000:00:04.0'], true, []],
      [5, ['0000:00:05.0'], true, []],
      [6, ['0000:00:06.0', '0000:01:01.0', '0000:01:02.0'], false, [{ bdf: '0000:01:02.0', driver: 'e1000' }]],
      [7, ['0000:00:07.0'], false, [{ bdf: '0000:00:07.0', driver: 'e1000e' }]],
    ]);
  });
});

describe('owners from a fake procfs', () => {
  it('finds processes holding /dev/vfio/N with their locked and pinned memory and memlock limit', async () => {
    const dev = tree.roots.dev;
    tree.process(4242, {
      comm: 'qemu-system-x86',
      cmdline: ['qemu-system-x86_64', '-device', 'vfio-pci,host=00:04.0'],
      fds: [join(dev, 'vfio/vfio'), join(dev, 'vfio/4'), '/dev/null', join(dev, 'vfio/5')],
      vmLckKb: 2048,
      vmPinKb: 1024,
      memlock: '16777216',
    });
    tree.process(77, { comm: 'bash', cmdline: ['bash'], fds: ['/dev/pts/0'], vmLckKb: 0, vmPinKb: 0, memlock: 'unlimited' });
    tree.process(99, { comm: 'dpdk', cmdline: ['dpdk-testpmd'], fds: [join(dev, 'vfio/6')], vmLckKb: 0, vmPinKb: 0, memlock: 'unlimited' });
    const owners = await createLinuxHost({ roots: tree.roots }).owners();
    const qemu = { pid: 4242, comm: 'qemu-system-x86', cmdline: 'qemu-system-x86_64 -device vfio-pci,host=00:04.0', self: false };
    expect(owners).toEqual([
      { group: 4, via: 'group', ...qemu, lockedBytes: 2048 * 1024, pinnedBytes: 1024 * 1024, memlockLimit: 16777216 },
      { group: 5, via: 'group', ...qemu, lockedBytes: 2048 * 1024, pinnedBytes: 1024 * 1024, memlockLimit: 16777216 },
      {
        group: 6,
        via: 'group',
        pid: 99,
        comm: 'dpdk',
        cmdline: 'dpdk-testpmd',
        self: false,
        lockedBytes: 0,
        pinnedBytes: 0,
        memlockLimit: null,
      },
    ]);
  });
});

describe('hostInfo from a fake tree', () => {
  it('reports module parameters, CPUs and the kernel', async () => {
    tree.file(join(tree.roots.sys, 'module/vfio/parameters/enable_unsafe_noiommu_mode'), 'N\n');
    tree.file(join(tree.roots.sys, 'module/vfio_pci/parameters/nointxmask'), 'N\n');
    tree.file(join(tree.roots.sys, 'module/vfio_iommu_type1/parameters/allow_unsafe_interrupts'), 'N\n');
    tree.file(join(tree.roots.sys, 'module/vfio_iommu_type1/parameters/dma_entry_limit'), '65535\n');
    tree.file(join(tree.roots.proc, 'sys/kernel/osrelease'), '6.1.0-56-amd64\n');
    tree.file(join(tree.roots.proc, 'sys/kernel/hostname'), 'fakehost\n');
    const info = await createLinuxHost({ roots: tree.roots }).hostInfo();
    expect(info).toMatchObject({
      backend: 'linux',
      hostname: 'fakehost',
      kernel: '6.1.0-56-amd64',
      iommu: { present: true, groupCount: 4 },
      modules: { vfio: true, vfioPci: true, vfioIommuType1: true, allowUnsafeInterrupts: false, dmaEntryLimit: 65535 },
      cpus: 4,
      vectorLimit: 4 * 204,
    });
  });

  it('says why there is no IOMMU when the groups directory is empty', async () => {
    const empty = new FakeTree();
    try {
      const host = createLinuxHost({ roots: empty.roots });
      const info = await host.hostInfo();
      expect(info.iommu.present).toBe(false);
      expect(info.iommu.groupCount).toBe(0);
      expect(info.iommu.reason).toMatch(/no IOMMU groups/);
      expect(info.modules.dmaEntryLimit).toBeNull();
      expect(await host.topology()).toEqual({ groups: [], devices: [] });
    } finally {
      empty.remove();
    }
  });
});

describe('bindDriver on a fake sysfs', () => {
  it('writes driver_override, unbinds the current driver and asks for a probe', async () => {
    const host = createLinuxHost({ roots: tree.roots });
    // a fake tree has no kernel behind it, so the device stays unbound: ENODEV after the writes
    await expect(host.bindDriver('0000:01:02.0', 'vfio-pci')).rejects.toMatchObject({ errno: 'ENODEV', op: 'bindDriver' });
    const dev = join(tree.roots.sys, 'bus/pci/devices/0000:01:02.0');
    expect(readFileSync(join(dev, 'driver_override'), 'utf8')).toBe('vfio-pci');
    expect(readFileSync(join(tree.roots.sys, 'bus/pci/drivers/e1000/unbind'), 'utf8')).toBe('0000:01:02.0');
    expect(readFileSync(join(tree.roots.sys, 'bus/pci/drivers_probe'), 'utf8')).toBe('0000:01:02.0');
  });

  it('unbinding clears the override', async () => {
    const host = createLinuxHost({ roots: tree.roots });
    await host.bindDriver('0000:00:04.0', null);
    const dev = join(tree.roots.sys, 'bus/pci/devices/0000:00:04.0');
    expect(readFileSync(join(dev, 'driver_override'), 'utf8')).toBe('\n');
    expect(readFileSync(join(tree.roots.sys, 'bus/pci/drivers/vfio-pci/unbind'), 'utf8')).toBe('0000:00:04.0');
  });

  it('fails with ENODEV for a device that does not exist', async () => {
    await expect(createLinuxHost({ roots: tree.roots }).bindDriver('0000:09:00.0', 'vfio-pci')).rejects.toMatchObject({
      errno: 'ENODEV',
    });
  });
});
