/**
 * The large scenario, for UI scale tests: a 2-socket NFV host with four E810
 * ports, each with 64 VFs in groups of their own (300+ groups), eight NVMe
 * drives, and twenty QEMU VMs each holding four VFs under steady or bursty load.
 */
import { bdf, e810WithVfs, GiB, GroupCounter, load, MiB, rootPort, samsungNvme } from './build-helpers.ts';
import type { Scenario, ScenarioDevice, ScenarioProcess } from './scenario-types.ts';

const VFS_PER_PF = 64;
const VMS = 20;
const VFS_PER_VM = 4;

function build(): Scenario {
  const g = new GroupCounter();
  const devices: ScenarioDevice[] = [];
  devices.push({
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
    bars: [],
  });
  const vfBdfs: string[] = [];
  const portBuses = [0x30, 0x4a, 0xb0, 0xc9];
  portBuses.forEach((rootBus, port) => {
    const numaNode = rootBus < 0x80 ? 0 : 1;
    devices.push(rootPort(bdf(rootBus, 2, 0), g.take(), rootBus + 1, numaNode));
    const nic = e810WithVfs({
      pfBdf: { bus: rootBus + 1, device: 0 },
      numaNode,
      groups: g,
      vfCount: VFS_PER_PF,
      vfMsix: 17,
      vfDriver: (i) => (i % 8 === 7 ? 'iavf' : 'vfio-pci'),
      vfLoad: (i) =>
        i % 8 === 7
          ? undefined
          : (i + port) % 3 === 0
            ? [load('MSIX', 'all', { kind: 'bursty', base: 30, burstRate: 1200, periodMs: 5000, burstMs: 500 })]
            : [load('MSIX', 'all', { kind: 'steady', rate: 60 + 10 * (i % 5) })],
    });
    devices.push(...nic);
    vfBdfs.push(
      ...nic
        .slice(1)
        .filter((d) => d.driver === 'vfio-pci')
        .map((d) => d.bdf),
    );
  });
  for (let i = 0; i < 8; i++) {
    const rootBus = i < 4 ? 0x16 : 0x97;
    const bus = rootBus + 1 + (i % 4);
    devices.push(rootPort(bdf(rootBus, 2 + (i % 4), 0), g.take(), bus, i < 4 ? 0 : 1));
    devices.push(
      samsungNvme(bdf(bus, 0, 0), g.take(), i < 2 ? 'nvme' : 'vfio-pci', i < 4 ? 0 : 1, [
        load('MSIX', 'all', { kind: 'steady', rate: 40 }),
      ]),
    );
  }
  const groupOf = new Map(devices.map((d) => [d.bdf, d.group]));
  const processes: ScenarioProcess[] = [];
  for (let vm = 0; vm < VMS; vm++) {
    const mine = vfBdfs.slice(vm * VFS_PER_VM, (vm + 1) * VFS_PER_VM);
    processes.push({
      pid: 10000 + vm * 7,
      comm: 'qemu-system-x86',
      cmdline:
        `/usr/bin/qemu-system-x86_64 -name guest=nfv-${vm} -machine pc-q35-7.2,accel=kvm -m 4096 -smp 4 ` +
        mine.map((b) => `-device vfio-pci,host=${b}`).join(' '),
      groups: mine.map((b) => groupOf.get(b)!),
      lockedBytes: 4 * GiB,
      pinnedBytes: 0,
      memlockLimit: 5 * GiB,
    });
  }
  return {
    name: 'large',
    description: `NFV host: 4 E810 ports × ${VFS_PER_PF} VFs, 8 NVMe drives, ${VMS} QEMU VMs — for UI scale tests`,
    hostname: 'nfv-scale-01',
    kernel: '6.1.0-28-amd64',
    cpus: 128,
    memlockLimit: 64 * MiB,
    dmaEntryLimit: 65535,
    allowUnsafeInterrupts: false,
    interruptRemapping: true,
    devices,
    processes,
  };
}

export const largeScenario: Scenario = build();
