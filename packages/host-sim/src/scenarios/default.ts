/**
 * The default scenario: a 2-socket Ice Lake-SP server as an operator would
 * find it. Every PCIe root port has ACS, so each endpoint behind one is its
 * own group; multi-function endpoints without ACS (a GPU and its HDMI audio)
 * share a group; the BMC's PCIe-to-PCI bridge aliases its VGA function into
 * one group that is not viable while `ast` drives the VGA, and the second
 * GPU's group is not viable either while its HDMI audio function is on
 * `snd_hda_intel` (the commonest "why can't I pass this GPU through") and it
 * does not come back from its second reset (the commonest reset failure). Three
 * QEMU VMs hold GPU, NVMe and E810 VF groups; other vfio-pci devices are free
 * for vfioscope to drive. Group numbers follow discovery order.
 *
 * `demo` (demo.ts) is the same host with a script; buildDefaultHost('demo')
 * gives it the host its story needs: win11-cad's GPU on MSI-X, with the reset
 * bug from its first reset, and no fault or storm but the script's.
 */
import { bdf, e810WithVfs, eduDevice, GiB, GroupCounter, load, MiB, rootPort, samsungNvme } from './build-helpers.ts';
import type { Scenario, ScenarioDevice, ScenarioIrqLoad } from './scenario-types.ts';

function gpuPair(
  bus: number,
  group: number,
  numaNode: number,
  gpuLoad: ScenarioIrqLoad[],
  audioLoad: ScenarioIrqLoad[],
  audioDriver = 'vfio-pci',
  gpuExtra: Partial<ScenarioDevice> = {},
): ScenarioDevice[] {
  return [
    {
      bdf: bdf(bus, 0, 0),
      kind: 'gpu',
      vendorId: 0x10de,
      deviceId: 0x2230,
      subsystemVendorId: 0x10de,
      subsystemDeviceId: 0x1459,
      classCode: 0x030000,
      vendorName: 'NVIDIA Corporation',
      deviceName: 'GA102GL [RTX A6000]',
      group,
      driver: 'vfio-pci',
      numaNode,
      msiVectors: 1,
      msixVectors: 6,
      reset: true,
      bars: [16 * MiB, 64 * GiB, 0, 32 * MiB, 0, 128],
      multifunction: true,
      irqLoad: gpuLoad,
      ...gpuExtra,
    },
    {
      bdf: bdf(bus, 0, 1),
      kind: 'gpu-audio',
      vendorId: 0x10de,
      deviceId: 0x1aef,
      subsystemVendorId: 0x10de,
      subsystemDeviceId: 0x1459,
      classCode: 0x040300,
      vendorName: 'NVIDIA Corporation',
      deviceName: 'GA102 High Definition Audio Controller',
      group,
      driver: audioDriver,
      numaNode,
      msiVectors: 1,
      msixVectors: 0,
      reset: true,
      irqLoad: audioLoad,
    },
  ];
}

export function buildDefaultHost(variant: 'default' | 'demo' = 'default'): Scenario {
  const demo = variant === 'demo';
  const g = new GroupCounter();
  const devices: ScenarioDevice[] = [];
  const add = (...d: ScenarioDevice[]) => devices.push(...d);

  // --- socket 0, PCH on bus 00 ---
  add({
    bdf: bdf(0, 0, 0),
    kind: 'generic',
    vendorId: 0x8086,
    deviceId: 0x09a2,
    classCode: 0x088000,
    vendorName: 'Intel Corporation',
    deviceName: 'Ice Lake Memory Map/VT-d',
    group: g.take(),
    driver: null,
    numaNode: 0,
  });
  const usbGroup = g.take();
  add(
    {
      bdf: bdf(0, 0x14, 0),
      kind: 'usb',
      vendorId: 0x8086,
      deviceId: 0xa1af,
      classCode: 0x0c0330,
      vendorName: 'Intel Corporation',
      deviceName: 'C620 Series Chipset Family USB 3.0 xHCI Controller',
      group: usbGroup,
      driver: 'xhci_hcd',
      numaNode: 0,
      msiVectors: 8,
      multifunction: true,
    },
    {
      bdf: bdf(0, 0x14, 2),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0xa1b1,
      classCode: 0x118000,
      vendorName: 'Intel Corporation',
      deviceName: 'C620 Series Chipset Family Thermal Subsystem',
      group: usbGroup,
      driver: 'intel_pch_thermal',
      numaNode: 0,
      msiVectors: 1,
    },
  );
  add({
    bdf: bdf(0, 0x17, 0),
    kind: 'sata',
    vendorId: 0x8086,
    deviceId: 0xa1d2,
    classCode: 0x010601,
    vendorName: 'Intel Corporation',
    deviceName: 'C620 Series Chipset Family SSATA Controller [AHCI mode]',
    group: g.take(),
    driver: 'ahci',
    numaNode: 0,
    msiVectors: 1,
  });
  // the BMC: PCH root port → ASPEED PCIe-to-PCI bridge → VGA; bridge and VGA share a group
  add({
    ...rootPort(bdf(0, 0x1c, 0), g.take(), 1, 0),
    deviceId: 0xa190,
    deviceName: 'C620 Series Chipset Family PCI Express Root Port #1',
  });
  const bmcGroup = g.take();
  add(
    {
      bdf: bdf(1, 0, 0),
      kind: 'pci-bridge',
      bridgeType: 'pcie-to-pci',
      secondaryBus: 2,
      vendorId: 0x1a03,
      deviceId: 0x1150,
      classCode: 0x060400,
      vendorName: 'ASPEED Technology, Inc.',
      deviceName: 'AST1150 PCI-to-PCI Bridge',
      group: bmcGroup,
      driver: null,
      numaNode: 0,
    },
    {
      bdf: bdf(2, 0, 0),
      kind: 'generic',
      vendorId: 0x1a03,
      deviceId: 0x2000,
      classCode: 0x030000,
      vendorName: 'ASPEED Technology, Inc.',
      deviceName: 'ASPEED Graphics Family',
      group: bmcGroup,
      driver: 'ast',
      numaNode: 0,
      bars: [64 * MiB, 256 * 1024, 0, 0, 0, 0],
    },
  );
  const lpcGroup = g.take();
  const pchFn = (fn: number, deviceId: number, classCode: number, deviceName: string, driver: string | null): ScenarioDevice => ({
    bdf: bdf(0, 0x1f, fn),
    kind: 'generic',
    vendorId: 0x8086,
    deviceId,
    classCode,
    vendorName: 'Intel Corporation',
    deviceName,
    group: lpcGroup,
    driver,
    numaNode: 0,
    multifunction: fn === 0,
  });
  add(
    pchFn(0, 0xa1cb, 0x060100, 'C621 Series Chipset LPC/eSPI Controller', 'lpc_ich'),
    pchFn(2, 0xa1a1, 0x058000, 'C620 Series Chipset Family Power Management Controller', null),
    pchFn(4, 0xa1a3, 0x0c0500, 'C620 Series Chipset Family SMBus', 'i801_smbus'),
    pchFn(5, 0xa1a4, 0x0c8000, 'C620 Series Chipset Family SPI Controller', 'intel-spi'),
  );

  // --- socket 0, CPU root ports ---
  add(rootPort(bdf(0x16, 2, 0), g.take(), 0x17, 0));
  add(
    ...gpuPair(
      0x17,
      g.take(),
      0,
      demo ? [load('MSIX', 'all', { kind: 'steady', rate: 300 })] : [load('MSI', 0, { kind: 'steady', rate: 1800 })],
      [load('MSI', 0, { kind: 'bursty', base: 5, burstRate: 400, periodMs: 10000, burstMs: 2000 })],
      'vfio-pci',
      // the demo's guest reboot resets it, and it does not come back
      demo ? { resetFailsFrom: 1 } : {},
    ),
  );
  add(rootPort(bdf(0x30, 2, 0), g.take(), 0x31, 0));
  add(
    ...e810WithVfs({
      pfBdf: { bus: 0x31, device: 0 },
      numaNode: 0,
      groups: g,
      vfCount: 8,
      vfDriver: (i) => (i >= 6 ? 'iavf' : 'vfio-pci'),
      vfLoad: (i) => {
        if (i <= 1) return [load('MSIX', 'all', { kind: 'steady', rate: 120 })];
        if (i <= 3) return [load('MSIX', 'all', { kind: 'bursty', base: 40, burstRate: 2500, periodMs: 6000, burstMs: 750 })];
        if (i === 4)
          return [
            load('MSIX', 'all', { kind: 'steady', rate: 30 }),
            load('MSIX', 0, { kind: 'flapping', high: 8000, low: 50, periodMs: 3000 }),
          ];
        if (i === 5) return [load('MSIX', 'all', { kind: 'steady', rate: 200 })];
        return undefined;
      },
    }),
  );
  add(rootPort(bdf(0x4a, 2, 0), g.take(), 0x4b, 0));
  add(samsungNvme(bdf(0x4b, 0, 0), g.take(), 'nvme', 0));
  add(rootPort(bdf(0x4a, 3, 0), g.take(), 0x4c, 0));
  add({
    ...samsungNvme(bdf(0x4c, 0, 0), g.take(), 'vfio-pci', 0, [
      load('MSIX', 'all', { kind: 'bursty', base: 20, burstRate: 1500, periodMs: 4000, burstMs: 500 }),
    ]),
    // the first VM's NVMe driver DMAs to an IOVA it never mapped every 20 s: a DMAR fault line each time
    // (the demo's faults are its script's)
    ...(demo ? {} : { dmaFaults: { everyMs: 20_000, iova: 0x7fff0000 } }),
  });
  add(rootPort(bdf(0x64, 2, 0), g.take(), 0x65, 0));
  add(eduDevice(bdf(0x65, 0, 0), g.take(), 'vfio-pci', 0));

  // --- socket 1 ---
  add(rootPort(bdf(0x97, 2, 0), g.take(), 0x98, 1));
  // the second GPU has the reset bug: vfio-pci's reset at first open works, the next reset leaves it reading all-ones
  add(...gpuPair(0x98, g.take(), 1, [load('MSI', 0, { kind: 'steady', rate: 900 })], [], 'snd_hda_intel', { resetFailsFrom: 2 }));
  add(rootPort(bdf(0xb0, 2, 0), g.take(), 0xb1, 1));
  add(samsungNvme(bdf(0xb1, 0, 0), g.take(), 'nvme', 1));
  add(rootPort(bdf(0xb0, 3, 0), g.take(), 0xb2, 1));
  add(samsungNvme(bdf(0xb2, 0, 0), g.take(), 'vfio-pci', 1, [load('MSIX', 'all', { kind: 'steady', rate: 100 })]));
  add(rootPort(bdf(0xb0, 4, 0), g.take(), 0xb3, 1));
  add(samsungNvme(bdf(0xb3, 0, 0), g.take(), 'vfio-pci', 1, [load('MSIX', 'all', { kind: 'steady', rate: 80 })]));
  add(rootPort(bdf(0xc9, 2, 0), g.take(), 0xca, 1));
  add({
    bdf: bdf(0xca, 0, 0),
    kind: 'nic-pf',
    vendorId: 0x15b3,
    deviceId: 0x101d,
    subsystemVendorId: 0x15b3,
    subsystemDeviceId: 0x0016,
    classCode: 0x020000,
    vendorName: 'Mellanox Technologies',
    deviceName: 'MT2892 Family [ConnectX-6 Dx]',
    group: g.take(),
    driver: 'mlx5_core',
    numaNode: 1,
    msixVectors: 128,
    msiVectors: 0,
    reset: true,
    numVfs: 0,
  });
  add(rootPort(bdf(0xe2, 2, 0), g.take(), 0xe3, 1));
  add({
    bdf: bdf(0xe3, 0, 0),
    kind: 'generic',
    vendorId: 0x1000,
    deviceId: 0x10e2,
    subsystemVendorId: 0x1028,
    subsystemDeviceId: 0x1ae0,
    classCode: 0x010400,
    vendorName: 'Broadcom / LSI',
    deviceName: 'MegaRAID 12GSAS/PCIe Secure SAS39xx',
    group: g.take(),
    driver: 'megaraid_sas',
    numaNode: 1,
    msixVectors: 128,
    bars: [1 * MiB, 0, 0, 0, 0, 0],
    reset: true,
  });

  const groupOf = (at: string) => devices.find((d) => d.bdf === at)!.group;
  const vf = (i: number) => bdf(0x32, 0, i);
  return {
    name: variant,
    description:
      '2-socket Ice Lake-SP server: two RTX A6000 GPUs with their HDMI audio (the second not viable: audio on snd_hda_intel), an E810 with 8 VFs, NVMe drives, a BMC bridge group that is not viable, an edu device, three QEMU VMs',
    hostname: 'r750-lab-07',
    kernel: '6.1.0-28-amd64',
    cpus: 64,
    memlockLimit: 64 * MiB,
    dmaEntryLimit: 65535,
    allowUnsafeInterrupts: false,
    interruptRemapping: true,
    devices,
    processes: [
      {
        pid: 4242,
        comm: 'qemu-system-x86',
        cmdline:
          '/usr/bin/qemu-system-x86_64 -name guest=win11-cad,debug-threads=on -machine pc-q35-7.2,accel=kvm -cpu host -m 32768 -smp 16 ' +
          '-device vfio-pci,host=0000:17:00.0,multifunction=on,x-vga=on -device vfio-pci,host=0000:17:00.1 -device vfio-pci,host=0000:4c:00.0',
        groups: [groupOf(bdf(0x17, 0, 0)), groupOf(bdf(0x4c, 0, 0))],
        // type1 accounts pinned guest RAM in locked_vm (VmLck); VmPin stays 0
        lockedBytes: 32 * GiB,
        pinnedBytes: 0,
        memlockLimit: 33 * GiB,
      },
      {
        pid: 5120,
        comm: 'qemu-system-x86',
        cmdline:
          '/usr/bin/qemu-system-x86_64 -name guest=nfv-router-1 -machine pc-q35-7.2,accel=kvm -cpu host -m 8192 -smp 8 ' +
          `-device vfio-pci,host=${vf(0)} -device vfio-pci,host=${vf(1)} -device vfio-pci,host=0000:b3:00.0`,
        groups: [groupOf(vf(0)), groupOf(vf(1)), groupOf(bdf(0xb3, 0, 0))],
        lockedBytes: 8 * GiB,
        pinnedBytes: 0,
        memlockLimit: 9 * GiB,
      },
      {
        pid: 5188,
        comm: 'qemu-system-x86',
        cmdline:
          '/usr/bin/qemu-system-x86_64 -name guest=nfv-router-2 -machine pc-q35-7.2,accel=kvm -cpu host -m 8192 -smp 8 ' +
          `-device vfio-pci,host=${vf(2)} -device vfio-pci,host=${vf(3)} -device vfio-pci,host=${vf(4)}`,
        groups: [groupOf(vf(2)), groupOf(vf(3)), groupOf(vf(4))],
        lockedBytes: 8 * GiB,
        pinnedBytes: 0,
        memlockLimit: 9 * GiB,
      },
    ],
  };
}

export const defaultScenario: Scenario = buildDefaultHost();
