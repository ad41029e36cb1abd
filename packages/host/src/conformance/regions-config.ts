/**
 * Device info, regions and config space of a vfio-pci device
 * (vfio_pci_core.c, vfio_pci_config.c): the fixed PCI region index map with
 * absent BARs of size 0, the CONFIG region with a real header and capability
 * list, and the errors for indexes the device does not have.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_BAR5_REGION_INDEX,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_NUM_REGIONS,
  VFIO_PCI_ROM_REGION_INDEX,
  VFIO_PCI_VGA_REGION_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '@vfioscope/uapi';
import type { Device } from '../drive.ts';
import { eduPair, type SuiteContext } from './context.ts';
import { EDU_BAR0_SIZE, EDU_DEVICE_ID, EDU_VENDOR_ID, readU16le } from './edu-regs.ts';
import { expectErrno } from './expect-errno.ts';

/** vfio-pci places region N at file offset N << 40 (VFIO_PCI_INDEX_TO_OFFSET) */
const VFIO_PCI_OFFSET_SHIFT = 40n;
const PCI_STATUS = 0x06;
const PCI_STATUS_CAP_LIST = 0x10;
const PCI_CLASS_REVISION = 0x08;
const PCI_HEADER_TYPE = 0x0e;
const PCI_CAPABILITY_LIST = 0x34;
export const PCI_CAP_ID_MSI = 0x05;
export const PCI_CAP_ID_EXP = 0x10;
export const PCI_CAP_ID_MSIX = 0x11;
const PCI_CONFIG_SPACE_SIZE = 256n;

async function cfgRead(device: Device, offset: number, size: number): Promise<Uint8Array> {
  return device.read(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(offset), size);
}

/** Walk the standard capability list; returns capability id -> offset. */
export async function capabilities(device: Device): Promise<Map<number, number>> {
  const caps = new Map<number, number>();
  const status = readU16le(await cfgRead(device, PCI_STATUS, 2));
  if ((status & PCI_STATUS_CAP_LIST) === 0) return caps;
  let at = (await cfgRead(device, PCI_CAPABILITY_LIST, 1))[0]! & 0xfc;
  // 48 hops bound a malformed (looping) list, like the kernel's PCI_FIND_CAP_TTL
  for (let hops = 0; at >= 0x40 && hops < 48; hops++) {
    const [id, next] = await cfgRead(device, at, 2);
    if (!caps.has(id!)) caps.set(id!, at);
    at = next! & 0xfc;
  }
  return caps;
}

export function regionsAndConfig(ctx: SuiteContext): void {
  describe('device info and regions', () => {
    it('VFIO_DEVICE_GET_INFO: a PCI device with the fixed 9 regions and 5 IRQ indexes', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const info = await device.info();
      expect(info.flags & VFIO_DEVICE_FLAGS_PCI).toBe(VFIO_DEVICE_FLAGS_PCI);
      expect(info.numRegions).toBe(VFIO_PCI_NUM_REGIONS);
      expect(info.numIrqs).toBe(VFIO_PCI_NUM_IRQS);
    });

    it('each region index sits at offset index << 40', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      for (let index = VFIO_PCI_BAR0_REGION_INDEX; index <= VFIO_PCI_CONFIG_REGION_INDEX; index++) {
        const region = await device.regionInfo(index);
        expect(region.index).toBe(index);
        expect(region.offset).toBe(BigInt(index) << VFIO_PCI_OFFSET_SHIFT);
      }
    });

    it('edu BAR0 is 1 MiB, READ|WRITE|MMAP; absent BAR1-5 and ROM have size 0 and no flags', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const bar0 = await device.regionInfo(VFIO_PCI_BAR0_REGION_INDEX);
      expect(bar0.size).toBe(EDU_BAR0_SIZE);
      expect(bar0.flags).toBe(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP);
      for (let index = VFIO_PCI_BAR0_REGION_INDEX + 1; index <= VFIO_PCI_BAR5_REGION_INDEX; index++) {
        const bar = await device.regionInfo(index);
        expect({ index, size: bar.size, flags: bar.flags }).toEqual({ index, size: 0n, flags: 0 });
      }
      const rom = await device.regionInfo(VFIO_PCI_ROM_REGION_INDEX);
      expect({ size: rom.size, flags: rom.flags }).toEqual({ size: 0n, flags: 0 });
    });

    it('the CONFIG region is 256 bytes (conventional PCI), READ|WRITE', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const cfg = await device.regionInfo(VFIO_PCI_CONFIG_REGION_INDEX);
      expect(cfg.size).toBe(PCI_CONFIG_SPACE_SIZE);
      expect(cfg.flags).toBe(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
    });

    it('the VGA region of a non-VGA device and an index past the last region fail with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await expectErrno(device.regionInfo(VFIO_PCI_VGA_REGION_INDEX), 'EINVAL');
      await expectErrno(device.regionInfo(VFIO_PCI_NUM_REGIONS), 'EINVAL');
    });

    it('reading BAR0 at its size fails with EINVAL; reading config space past its end fails with EFAULT', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await expectErrno(device.read(VFIO_PCI_BAR0_REGION_INDEX, EDU_BAR0_SIZE, 4), 'EINVAL');
      await expectErrno(device.read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_CONFIG_SPACE_SIZE, 4), 'EFAULT');
      await expectErrno(device.read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_CONFIG_SPACE_SIZE - 2n, 4), 'EFAULT');
    });
  });

  describe('config space', () => {
    it('the header carries the vendor, device and class code that topology reports, header type 0', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const { device } = await ctx.scope().openStack(edu);
      const pci = (await t.host.topology()).devices.find((d) => d.bdf === edu.bdf);
      expect(pci).toBeDefined();
      const header = await cfgRead(device, 0, 0x10);
      expect(readU16le(header, 0)).toBe(EDU_VENDOR_ID);
      expect(readU16le(header, 2)).toBe(EDU_DEVICE_ID);
      expect(pci!.vendorId).toBe(EDU_VENDOR_ID);
      expect(pci!.deviceId).toBe(EDU_DEVICE_ID);
      const classCode = header[PCI_CLASS_REVISION + 1]! | (header[PCI_CLASS_REVISION + 2]! << 8) | (header[PCI_CLASS_REVISION + 3]! << 16);
      expect(classCode).toBe(pci!.classCode);
      expect(header[PCI_HEADER_TYPE]! & 0x7f).toBe(0);
    });

    it('writes to the read-only vendor and device IDs are dropped without error', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      await device.write(VFIO_PCI_CONFIG_REGION_INDEX, 0n, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
      const ids = await cfgRead(device, 0, 4);
      expect([readU16le(ids, 0), readU16le(ids, 2)]).toEqual([EDU_VENDOR_ID, EDU_DEVICE_ID]);
    });

    it('the capability list of edu holds MSI and neither MSI-X nor PCI Express', async () => {
      const [edu] = eduPair(ctx.target());
      const { device } = await ctx.scope().openStack(edu);
      const caps = await capabilities(device);
      expect(caps.has(PCI_CAP_ID_MSI)).toBe(true);
      expect(caps.has(PCI_CAP_ID_MSIX)).toBe(false);
      expect(caps.has(PCI_CAP_ID_EXP)).toBe(false);
    });
  });
}
