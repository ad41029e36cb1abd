import { describe, expect, it } from 'vitest';
import type { PciFunctionSpec } from '../pci-function-spec.ts';
import { buildConfigSpace } from './builder.ts';
import { configReaderOf, listCapabilities, listExtCapabilities } from './capability-walk.ts';
import type { ConfigSpace } from './config-space.ts';
import * as R from './pci-regs.ts';

const le32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
const le16 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
const read32 = (cs: ConfigSpace, off: number) => configReaderOf(cs.read(0, cs.size)).get32(off);

const NIC_PF: PciFunctionSpec = {
  vendorId: 0x8086,
  deviceId: 0x1592,
  subsystemVendorId: 0x8086,
  subsystemDeviceId: 0x0002,
  classCode: 0x020000,
  revision: 0x02,
  interruptPin: 1,
  bars: [
    { index: 0, kind: 'mem64', size: 32 << 20, prefetchable: true },
    { index: 2, kind: 'mem32', size: 0x4000 },
    { index: 3, kind: 'mem64', size: 0x10000, prefetchable: true },
    { index: 5, kind: 'io', size: 32 },
  ],
  romSize: 1 << 20,
  pm: { noSoftReset: true },
  msi: { vectors: 4, perVectorMask: true },
  pcie: { portType: 'endpoint', flr: true },
  msix: { vectors: 1024, tableBar: 3, tableOffset: 0, pbaBar: 3, pbaOffset: 0x8000 },
  aer: true,
  acs: true,
  sriov: {
    totalVfs: 128,
    numVfs: 8,
    vfDeviceId: 0x1889,
    firstVfOffset: 0x100,
    vfStride: 1,
    vfBars: [{ index: 0, kind: 'mem64', size: 0x20000, prefetchable: true }],
  },
};

describe('config space builder', () => {
  const { config, caps } = buildConfigSpace(NIC_PF);

  it('writes a type-0 header with identity, class, pin and the capabilities bit', () => {
    const r = configReaderOf(config.read(0, config.size));
    expect(config.size).toBe(4096);
    expect(r.get16(R.PCI_VENDOR_ID)).toBe(0x8086);
    expect(r.get16(R.PCI_DEVICE_ID)).toBe(0x1592);
    expect(r.get32(R.PCI_REVISION_ID)).toBe((0x020000 << 8) | 0x02);
    expect(r.get8(R.PCI_HEADER_TYPE)).toBe(0);
    expect(r.get16(R.PCI_SUBSYSTEM_VENDOR_ID)).toBe(0x8086);
    expect(r.get16(R.PCI_SUBSYSTEM_ID)).toBe(0x0002);
    expect(r.get8(R.PCI_INTERRUPT_PIN)).toBe(1);
    expect(r.get16(R.PCI_STATUS) & R.PCI_STATUS_CAP_LIST).toBe(R.PCI_STATUS_CAP_LIST);
  });

  it('links the standard and extended capability lists in order', () => {
    expect(listCapabilities(config).map((c) => c.id)).toEqual([R.PCI_CAP_ID_PM, R.PCI_CAP_ID_MSI, R.PCI_CAP_ID_EXP, R.PCI_CAP_ID_MSIX]);
    expect(listCapabilities(config)[0]?.offset).toBe(0x40);
    expect(listExtCapabilities(config).map((c) => c.id)).toEqual([R.PCI_EXT_CAP_ID_ERR, R.PCI_EXT_CAP_ID_ACS, R.PCI_EXT_CAP_ID_SRIOV]);
    expect(listExtCapabilities(config)[0]?.offset).toBe(0x100);
  });

  it('encodes MSI vector count, MSI-X table size and BIR/offset, PCIe port type, SR-IOV counts', () => {
    expect((config.get16(caps.msi! + R.PCI_MSI_FLAGS) & R.PCI_MSI_FLAGS_QMASK) >> 1).toBe(2); // log2(4)
    expect(config.get16(caps.msi! + R.PCI_MSI_FLAGS) & R.PCI_MSI_FLAGS_64BIT).toBe(R.PCI_MSI_FLAGS_64BIT);
    expect((config.get16(caps.msix! + R.PCI_MSIX_FLAGS) & R.PCI_MSIX_FLAGS_QSIZE) + 1).toBe(1024);
    expect(config.get32(caps.msix! + R.PCI_MSIX_TABLE)).toBe(3);
    expect(config.get32(caps.msix! + R.PCI_MSIX_PBA)).toBe(0x8003);
    expect((config.get16(caps.pcie! + R.PCI_EXP_FLAGS) >> 4) & 0xf).toBe(R.PCI_EXP_TYPE.endpoint);
    expect(config.get32(caps.pcie! + R.PCI_EXP_DEVCAP) & R.PCI_EXP_DEVCAP_FLR).toBe(R.PCI_EXP_DEVCAP_FLR);
    expect(config.get16(caps.sriov! + R.PCI_SRIOV_TOTAL_VF)).toBe(128);
    expect(config.get16(caps.sriov! + R.PCI_SRIOV_NUM_VF)).toBe(8);
    expect(config.get16(caps.sriov! + R.PCI_SRIOV_VF_DID)).toBe(0x1889);
  });

  it('answers BAR sizing (all-ones write) with the size mask and type bits, like hardware', () => {
    const cs = buildConfigSpace(NIC_PF).config;
    for (let i = 0; i < 6; i++) cs.write(R.PCI_BASE_ADDRESS_0 + 4 * i, le32(0xffffffff));
    const bar = (i: number) => read32(cs, R.PCI_BASE_ADDRESS_0 + 4 * i);
    // BAR0: 64-bit prefetchable 32 MiB → low dword ~(32M-1) | 0xc, high dword all ones
    expect(bar(0)).toBe(((~(32 * 1024 * 1024 - 1) & ~0xf) | 0xc) >>> 0);
    expect(bar(1)).toBe(0xffffffff);
    expect(bar(2)).toBe(0xffffc000); // 32-bit, 16 KiB, non-prefetchable
    expect(bar(3)).toBe(0xffff000c);
    expect(bar(5)).toBe(0xffffffe1); // I/O, 32 bytes
    cs.write(R.PCI_ROM_ADDRESS, le32(0xfffff800));
    expect(read32(cs, R.PCI_ROM_ADDRESS)).toBe(0xfff00000);
    // a programmed address reads back with the type bits intact
    cs.write(R.PCI_BASE_ADDRESS_0 + 8, le32(0xfe104000));
    expect(bar(2)).toBe(0xfe104000);
    cs.write(R.PCI_BASE_ADDRESS_0, le32(0x12345678));
    expect(bar(0)).toBe(0x1200000c); // address bits below 32 MiB are read-only zero
  });

  it('lets software write the command bits that exist, keeps the rest read-only, and clears status errors by writing one', () => {
    const cs = buildConfigSpace(NIC_PF).config;
    cs.write(R.PCI_COMMAND, le16(0xffff));
    expect(cs.get16(R.PCI_COMMAND)).toBe(0x0547); // IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE
    cs.write(R.PCI_COMMAND, le16(R.PCI_COMMAND_MEMORY));
    expect(cs.get16(R.PCI_COMMAND) & R.PCI_COMMAND_MASTER).toBe(0);
    cs.write(R.PCI_VENDOR_ID, le16(0));
    expect(cs.get16(R.PCI_VENDOR_ID)).toBe(0x8086);
    cs.update16(R.PCI_STATUS, 0x2000, true); // received master abort
    cs.write(R.PCI_STATUS, le16(0x2000));
    expect(cs.get16(R.PCI_STATUS) & 0x2000).toBe(0);
    expect(cs.get16(R.PCI_STATUS) & R.PCI_STATUS_CAP_LIST).toBe(R.PCI_STATUS_CAP_LIST);
  });

  it('makes MSI and MSI-X enable writable but not their vector counts', () => {
    const cs = buildConfigSpace(NIC_PF);
    const msi = cs.caps.msi!;
    cs.config.write(msi + R.PCI_MSI_FLAGS, le16(0xffff));
    const flags = cs.config.get16(msi + R.PCI_MSI_FLAGS);
    expect(flags & R.PCI_MSI_FLAGS_ENABLE).toBe(R.PCI_MSI_FLAGS_ENABLE);
    expect((flags & R.PCI_MSI_FLAGS_QMASK) >> 1).toBe(2);
    const msix = cs.caps.msix!;
    cs.config.write(msix + R.PCI_MSIX_FLAGS, le16(0xffff));
    expect(cs.config.get16(msix + R.PCI_MSIX_FLAGS)).toBe(R.PCI_MSIX_FLAGS_ENABLE | R.PCI_MSIX_FLAGS_MASKALL | 1023);
    cs.config.reset();
    expect(cs.config.get16(msix + R.PCI_MSIX_FLAGS)).toBe(1023);
  });

  it('builds a type-1 header for a bridge, with bus numbers and closed windows', () => {
    const { config: br } = buildConfigSpace({
      vendorId: 0x1b36,
      deviceId: 0x0001,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x060400,
      revision: 0,
      interruptPin: 1,
      bars: [],
      bridge: { primaryBus: 0, secondaryBus: 1, subordinateBus: 1 },
      msi: { vectors: 1 },
    });
    expect(br.size).toBe(256);
    expect(br.get8(R.PCI_HEADER_TYPE)).toBe(R.PCI_HEADER_TYPE_BRIDGE);
    expect(br.get8(R.PCI_SECONDARY_BUS)).toBe(1);
    expect(br.get16(R.PCI_MEMORY_BASE)).toBeGreaterThan(br.get16(R.PCI_MEMORY_LIMIT));
    br.write(R.PCI_SUBORDINATE_BUS, Uint8Array.of(4));
    expect(br.get8(R.PCI_SUBORDINATE_BUS)).toBe(4);
    expect(listCapabilities(br).map((c) => c.id)).toEqual([R.PCI_CAP_ID_MSI]);
  });

  it('rejects impossible specs', () => {
    expect(() => buildConfigSpace({ ...NIC_PF, bars: [{ index: 0, kind: 'mem32', size: 3000 }] })).toThrow(/power of two/);
    expect(() => buildConfigSpace({ ...NIC_PF, pcie: undefined })).toThrow(/extended/);
    expect(() => buildConfigSpace({ ...NIC_PF, msi: { vectors: 3 } })).toThrow(/MSI vectors/);
  });
});
