import { describe, expect, it } from 'vitest';
import { bdf, e810WithVfs, GroupCounter } from '../scenarios/build-helpers.ts';
import type { ScenarioDevice } from '../scenarios/scenario-types.ts';
import { findCapability } from './config-space/capability-walk.ts';
import * as R from './config-space/pci-regs.ts';
import { createDeviceModel } from './create-device-model.ts';
import { type PciFunctionModel, VGA_REGION_SIZE } from './pci-function-model.ts';
import { leBytes, leValue } from './sparse-memory.ts';
import { RecordingBus } from './test-bus.ts';
import * as V from '@vfioscope/uapi';

const gpuDevice: ScenarioDevice = {
  bdf: '0000:17:00.0',
  kind: 'gpu',
  vendorId: 0x10de,
  deviceId: 0x2230,
  classCode: 0x030000,
  group: 7,
  driver: 'vfio-pci',
  reset: false,
  irqLoad: [{ index: 'MSI', vector: 0, profile: { kind: 'steady', rate: 1000 } }],
};

describe('generic PCI function model', () => {
  it('gives a VGA-class GPU the VGA region, its BARs and the PCI flag without reset', () => {
    const m = createDeviceModel(gpuDevice);
    expect(m.deviceFlags).toBe(V.VFIO_DEVICE_FLAGS_PCI);
    const regions = m.regions();
    expect(regions.find((r) => r.index === V.VFIO_PCI_VGA_REGION_INDEX)?.size).toBe(VGA_REGION_SIZE);
    expect(regions.find((r) => r.index === 1)?.size).toBe(256n << 20n);
    expect(regions.find((r) => r.index === 2)?.size).toBe(0n); // upper half of the 64-bit BAR1
    expect(regions.find((r) => r.index === 5)?.flags).toBe(V.VFIO_REGION_INFO_FLAG_READ | V.VFIO_REGION_INFO_FLAG_WRITE);
    expect(regions.find((r) => r.index === V.VFIO_PCI_CONFIG_REGION_INDEX)?.size).toBe(4096n);
    expect(m.irqs().map((i) => i.count)).toEqual([1, 1, 6, 1, 1]);
  });

  it('has no VGA region on a non-display function and reports reset where FLR exists', () => {
    const [, vf] = e810WithVfs({
      pfBdf: { bus: 0x31, device: 0 },
      numaNode: 0,
      groups: new GroupCounter(),
      vfCount: 1,
      vfDriver: () => 'vfio-pci',
    });
    if (!vf) throw new Error('e810WithVfs made no VF');
    const m = createDeviceModel(vf);
    expect(m.regions().some((r) => r.index === V.VFIO_PCI_VGA_REGION_INDEX)).toBe(false);
    expect(m.deviceFlags).toBe(V.VFIO_DEVICE_FLAGS_PCI | V.VFIO_DEVICE_FLAGS_RESET);
    expect(m.irqs().map((i) => i.count)).toEqual([0, 0, 65, 1, 1]);
  });

  it('raises its load profile on the bus as the clock advances', () => {
    const m = createDeviceModel(gpuDevice);
    const bus = new RecordingBus();
    m.attach(bus);
    for (let t = 16; t <= 1990; t += 16) {
      bus.nowMs = t;
      m.advance(t);
    }
    expect(bus.count(V.VFIO_PCI_MSI_IRQ_INDEX, 0)).toBe(1984); // 1000/s over 1.984 s
  });

  it('fires every vector of an "all" load and none beyond the table', () => {
    const nvme: ScenarioDevice = {
      bdf: bdf(0x4c, 0, 0),
      kind: 'nvme',
      vendorId: 0x144d,
      deviceId: 0xa824,
      classCode: 0x010802,
      group: 1,
      driver: 'vfio-pci',
      msixVectors: 4,
      irqLoad: [
        { index: 'MSIX', vector: 'all', profile: { kind: 'steady', rate: 100 } },
        { index: 'MSIX', vector: 9, profile: { kind: 'steady', rate: 100 } },
      ],
    };
    const m = createDeviceModel(nvme);
    const bus = new RecordingBus();
    m.attach(bus);
    bus.nowMs = 1000;
    m.advance(1000);
    expect([0, 1, 2, 3].map((v) => bus.count(V.VFIO_PCI_MSIX_IRQ_INDEX, v))).toEqual([100, 100, 100, 100]);
    expect(bus.irqs.some((r) => r.vector >= 4)).toBe(false);
  });

  it('starts with every MSI-X entry masked, keeps the PBA read-only and serves NVMe CAP/VS', () => {
    const m = createDeviceModel({
      bdf: bdf(0x4b, 0, 0),
      kind: 'nvme',
      vendorId: 0x144d,
      deviceId: 0xa824,
      classCode: 0x010802,
      group: 1,
      driver: 'vfio-pci',
    }) as PciFunctionModel;
    const msix = m.spec.msix!;
    const ctrl = (v: number) => leValue(m.read(msix.tableBar, BigInt(msix.tableOffset + v * 16 + 12), 4));
    expect(ctrl(0)).toBe(1n);
    expect(ctrl(msix.vectors - 1)).toBe(1n);
    m.write(msix.pbaBar, BigInt(msix.pbaOffset), leBytes(0xffn, 8));
    expect(leValue(m.read(msix.pbaBar, BigInt(msix.pbaOffset), 8))).toBe(0n);
    expect(leValue(m.read(0, 0x08n, 4))).toBe(0x00010400n);
  });

  it('resets the function when software initiates FLR through the PCIe capability', () => {
    const m = createDeviceModel({
      bdf: bdf(0x4b, 0, 0),
      kind: 'nvme',
      vendorId: 0x144d,
      deviceId: 0xa824,
      classCode: 0x010802,
      group: 1,
      driver: 'vfio-pci',
    }) as PciFunctionModel;
    const cfg = V.VFIO_PCI_CONFIG_REGION_INDEX;
    m.write(cfg, BigInt(R.PCI_COMMAND), leBytes(BigInt(R.PCI_COMMAND_MASTER | R.PCI_COMMAND_MEMORY), 2));
    m.write(0, 0x1000n, leBytes(0xdeadbeefn, 4));
    const pcie = findCapability(m.config, R.PCI_CAP_ID_EXP)!;
    const devctl = BigInt(pcie + R.PCI_EXP_DEVCTL);
    m.write(cfg, devctl, leBytes(leValue(m.read(cfg, devctl, 2)) | BigInt(R.PCI_EXP_DEVCTL_BCR_FLR), 2));
    expect(m.resetCount).toBe(1);
    expect(leValue(m.read(cfg, BigInt(R.PCI_COMMAND), 2))).toBe(0n);
    expect(leValue(m.read(0, 0x1000n, 4))).toBe(0n);
    expect(leValue(m.read(cfg, devctl, 2)) & BigInt(R.PCI_EXP_DEVCTL_BCR_FLR)).toBe(0n);
  });
});
