/**
 * Reset methods, hot reset and a reset that fails, on the default scenario:
 * its second GPU (98:00.0) shares bus 0x98 behind root port 97:02.0 with its
 * HDMI audio (98:00.1, on snd_hda_intel until bound to vfio-pci) and does not
 * come back from its second reset; edu sits on the root bus.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_PCI_CONFIG_REGION_INDEX as CONFIG,
  VFIO_PCI_HOT_RESET_FLAG_DEV_ID,
  VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { eduHost, errnoOf } from './test-support.ts';

const GPU = '0000:98:00.0';
const AUDIO = '0000:98:00.1';
const NVME = '0000:b2:00.0';

async function openGroupOf(host: ReturnType<typeof eduHost>['host'], bdf: string) {
  const group = (await host.topology()).devices.find((d) => d.bdf === bdf)!.iommuGroup!;
  const c = await host.openContainer();
  const g = await host.openGroup(group);
  await g.setContainer(c);
  await c.setIommu(VFIO_TYPE1v2_IOMMU);
  return g;
}

const u16 = (b: Uint8Array) => b[0]! | (b[1]! << 8);

describe('reset_method in the sim', () => {
  it("lists the function's own methods, and bus only for a function alone behind a bridge", async () => {
    const { host } = eduHost('default', { pid: 9000 });
    const methods = Object.fromEntries((await host.topology()).devices.map((d) => [d.bdf, d.resetMethods]));
    // the NVMe is alone on bus 0xb2 behind a root port: its FLR, then a secondary bus reset
    expect(methods[NVME]).toEqual(['flr', 'bus']);
    // the GPU shares its bus with its audio function: no bus reset for it alone
    expect(methods[GPU]).not.toContain('bus');
    expect(methods[GPU]!.length).toBeGreaterThan(0);
    expect(methods['0000:00:1c.0']).not.toContain('bus');
  });

  it('edu on the root bus has none', async () => {
    const { host } = eduHost('edu');
    const edu = (await host.topology()).devices.find((d) => d.deviceId === 0x11e8)!;
    expect(edu.resetMethods).toEqual([]);
  });
});

describe('VFIO_DEVICE_GET_PCI_HOT_RESET_INFO', () => {
  it('names every function on the bus with its group', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    await host.bindDriver(AUDIO, 'vfio-pci');
    const g = await openGroupOf(host, GPU);
    const d = await g.openDevice(GPU);
    expect(await d.hotResetInfo()).toEqual({
      flags: 0,
      devices: [
        { bdf: GPU, id: g.id },
        { bdf: AUDIO, id: g.id },
      ],
    });
  });

  it('is ENODEV for a device on a root bus', async () => {
    const { host } = eduHost('edu');
    const edu = (await host.topology()).devices.find((d) => d.deviceId === 0x11e8)!;
    const g = await openGroupOf(host, edu.bdf);
    expect(await errnoOf((await g.openDevice(edu.bdf)).hotResetInfo())).toBe('ENODEV');
  });
});

describe('VFIO_DEVICE_PCI_HOT_RESET', () => {
  it('resets every function on the bus when the caller holds all their groups', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    const g = await openGroupOf(host, NVME);
    const d = await g.openDevice(NVME);
    await d.write(0, 0x14n, Uint8Array.of(1, 0, 0x46, 0)); // CC.EN
    await d.hotReset([g]);
    expect([...(await d.read(0, 0x14n, 4))]).toEqual([0, 0, 0, 0]);
  });

  it('refuses with EINVAL without group fds', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    const g = await openGroupOf(host, NVME);
    const d = await g.openDevice(NVME);
    expect(await errnoOf(d.hotReset([]))).toBe('EINVAL');
  });

  it('refuses with EBADF for a closed group fd', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    const g = await openGroupOf(host, NVME);
    const d = await g.openDevice(NVME);
    const other = await host.openGroup((await host.topology()).devices.find((x) => x.bdf === '0000:b1:00.0')!.iommuGroup!);
    await other.close();
    expect(await errnoOf(d.hotReset([g, other]))).toBe('EBADF');
  });

  it('refuses with EINVAL when an affected group is not among the fds', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    const nvmeGroup = await openGroupOf(host, NVME);
    await host.bindDriver(AUDIO, 'vfio-pci');
    const g = await openGroupOf(host, GPU);
    const gpu = await g.openDevice(GPU);
    expect(await errnoOf(gpu.hotReset([nvmeGroup]))).toBe('EINVAL');
    await g.close().catch(() => undefined);
  });
});

describe('a reset the device does not come back from', () => {
  it('leaves the GPU reading all-ones behind the ids vfio-pci virtualizes: header type 0x7f with bit 7', async () => {
    const { host } = eduHost('default', { pid: 9000 });
    await host.bindDriver(AUDIO, 'vfio-pci');
    const g = await openGroupOf(host, GPU);
    const d = await g.openDevice(GPU); // vfio-pci's reset at first open: the first, which works
    const header = async () => {
      const b = await d.read(CONFIG, 0n, 16);
      return { vendor: u16(b), headerType: b[14]!, classRev: new DataView(b.buffer, b.byteOffset + 8, 4).getUint32(0, true) };
    };
    const before = await header();
    expect(before).toMatchObject({ vendor: 0x10de, headerType: 0x80 });
    expect(before.classRev >>> 8).toBe(0x030000);
    await d.reset();
    expect(await header()).toEqual({ vendor: 0x10de, headerType: 0xff, classRev: 0xffffffff });
    // the hardware behind it: every byte all-ones
    expect(host.kernel.functions.get(GPU)!.cfg.read(0, 2)).toBe(0xffff);
  });
});

describe('hot reset through the device cdev (Linux 6.6+)', () => {
  async function nvmeCdev() {
    const { host } = eduHost('default', { pid: 9000, kernel: '6.12.0' });
    const iommufd = await host.openIommufd();
    const ioas = await iommufd.allocIoas();
    const cdev = await host.openDeviceCdev(NVME);
    const devid = await cdev.bind(iommufd);
    await cdev.attach(ioas.id);
    return { host, cdev, devid };
  }

  it('names devids with FLAG_DEV_ID, all owned (FLAG_DEV_ID_OWNED), and resets with an empty fd array', async () => {
    const { cdev, devid } = await nvmeCdev();
    expect(await cdev.hotResetInfo()).toEqual({
      flags: VFIO_PCI_HOT_RESET_FLAG_DEV_ID | VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
      devices: [{ bdf: NVME, id: devid }],
    });
    await cdev.write(0, 0x14n, Uint8Array.of(1, 0, 0x46, 0));
    await cdev.hotReset([]);
    expect([...(await cdev.read(0, 0x14n, 4))]).toEqual([0, 0, 0, 0]);
  });

  it('takes no group fds from a cdev, and wants them from a group-opened device (EINVAL before ENODEV)', async () => {
    const { host, cdev } = await nvmeCdev();
    const other = await openGroupOf(host, '0000:32:00.5');
    expect(await errnoOf(cdev.hotReset([other]))).toBe('EINVAL');
    const vf = await other.openDevice('0000:32:00.5');
    expect(await errnoOf(vf.hotReset([]))).toBe('EINVAL');
  });
});
