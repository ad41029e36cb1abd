/**
 * The vectors-4k scenario, for interrupt-scale tests: a 2-socket, 128-CPU
 * Sapphire Rapids virtualisation host whose VMs hold exactly 4,096 MSI-X
 * vectors (/proc/interrupts lines named vfio-msix[…]). Ten storage VMs of 64
 * vCPUs each hold four NVMe drives whole (65 vectors a drive: one I/O queue per
 * vCPU plus the admin queue), 2,600 in all; 22 NFV VMs hold four E810 VFs each
 * (17 vectors a VF: iavf's 16 queue pairs plus its mailbox), 1,496 in all. The
 * rest of each E810's 64 VFs are on the host's iavf or spare on vfio-pci.
 */
import { bdf, e810WithVfs, GiB, GroupCounter, load, MiB, rootPort, samsungNvme } from './build-helpers.ts';
import type { Scenario, ScenarioDevice, ScenarioIrqLoad, ScenarioProcess } from './scenario-types.ts';

/** the vectors the scenario's VMs hold: 40 × 65 + 88 × 17 */
export const VECTORS_4K = 4096;

const NVME_ROOT_BUSES = [0x10, 0x30, 0x90, 0xb0];
const NVME_PER_ROOT_BUS = 10;
const STORAGE_VMS = 10;
const NVME_PER_VM = 4;
const NIC_ROOT_BUSES = [0x50, 0xd0];
const VFS_PER_PF = 64;
const NFV_VMS = 22;
const VFS_PER_VM = 4;

function nvmeLoad(i: number): ScenarioIrqLoad[] {
  // a database's drives: steady queues, every third drive with bursts (a checkpoint flush)
  return i % 3 === 0
    ? [load('MSIX', 'all', { kind: 'bursty', base: 40, burstRate: 2000, periodMs: 7000, burstMs: 800 })]
    : [load('MSIX', 'all', { kind: 'steady', rate: 80 + 20 * (i % 4) })];
}

function vfLoad(i: number): ScenarioIrqLoad[] {
  return i % 4 === 0
    ? [load('MSIX', 'all', { kind: 'bursty', base: 30, burstRate: 1500, periodMs: 5000, burstMs: 400 })]
    : [load('MSIX', 'all', { kind: 'steady', rate: 50 + 10 * (i % 6) })];
}

function qemu(pid: number, name: string, smp: number, memGiB: number, bdfs: string[], groupOf: Map<string, number>): ScenarioProcess {
  return {
    pid,
    comm: 'qemu-system-x86',
    cmdline:
      `/usr/bin/qemu-system-x86_64 -name guest=${name} -machine pc-q35-8.2,accel=kvm -m ${memGiB * 1024} -smp ${smp} ` +
      bdfs.map((b) => `-device vfio-pci,host=${b}`).join(' '),
    groups: bdfs.map((b) => groupOf.get(b)!),
    lockedBytes: memGiB * GiB,
    pinnedBytes: 0,
    memlockLimit: (memGiB + 1) * GiB,
  };
}

function build(): Scenario {
  const g = new GroupCounter();
  const devices: ScenarioDevice[] = [
    {
      bdf: bdf(0, 0, 0),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x09a2,
      classCode: 0x088000,
      vendorName: 'Intel Corporation',
      deviceName: 'Sapphire Rapids Memory Map/VT-d',
      group: g.take(),
      driver: null,
      numaNode: 0,
      bars: [],
    },
  ];
  // x4 drives straight on root ports (bifurcated slots), ten per root complex, each port and drive in a group of its own
  const nvmeBdfs: string[] = [];
  NVME_ROOT_BUSES.forEach((rootBus, rc) => {
    const numaNode = rootBus < 0x80 ? 0 : 1;
    for (let p = 0; p < NVME_PER_ROOT_BUS; p++) {
      const bus = rootBus + 1 + p;
      const i = rc * NVME_PER_ROOT_BUS + p;
      devices.push(rootPort(bdf(rootBus, 1 + p, 0), g.take(), bus, numaNode));
      devices.push(samsungNvme(bdf(bus, 0, 0), g.take(), 'vfio-pci', numaNode, nvmeLoad(i)));
      nvmeBdfs.push(bdf(bus, 0, 0));
    }
  });
  const vfBdfs: string[] = [];
  NIC_ROOT_BUSES.forEach((rootBus, port) => {
    const numaNode = rootBus < 0x80 ? 0 : 1;
    devices.push(rootPort(bdf(rootBus, 2, 0), g.take(), rootBus + 1, numaNode));
    const heldPerPort = (NFV_VMS * VFS_PER_VM) / NIC_ROOT_BUSES.length;
    const nic = e810WithVfs({
      pfBdf: { bus: rootBus + 1, device: 0 },
      numaNode,
      groups: g,
      vfCount: VFS_PER_PF,
      vfMsix: 17,
      // the first VFs go to VMs; of the rest, every other one is the host's own (iavf), the others spare
      vfDriver: (i) => (i < heldPerPort || i % 2 === 0 ? 'vfio-pci' : 'iavf'),
      vfLoad: (i) => (i < heldPerPort ? vfLoad(i + port) : undefined),
    });
    devices.push(...nic);
    vfBdfs.push(...nic.slice(1, 1 + heldPerPort).map((d) => d.bdf));
  });
  const groupOf = new Map(devices.map((d) => [d.bdf, d.group]));
  const processes: ScenarioProcess[] = [];
  for (let vm = 0; vm < STORAGE_VMS; vm++) {
    const mine = nvmeBdfs.slice(vm * NVME_PER_VM, (vm + 1) * NVME_PER_VM);
    processes.push(qemu(20000 + vm * 11, `db-${vm}`, 64, 64, mine, groupOf));
  }
  for (let vm = 0; vm < NFV_VMS; vm++) {
    // a VM's four VFs alternate between the two ports, as a bonded pair of pairs would
    const mine = [0, 1, 2, 3].map((k) => vfBdfs[(k % 2) * (vfBdfs.length / 2) + vm * 2 + (k >> 1)]!);
    processes.push(qemu(30000 + vm * 7, `nfv-${vm}`, 16, 8, mine, groupOf));
  }
  return {
    name: 'vectors-4k',
    description: `Virtualisation host: ${STORAGE_VMS} VMs with ${NVME_PER_VM} NVMe drives each, ${NFV_VMS} VMs with ${VFS_PER_VM} E810 VFs each — ${VECTORS_4K} MSI-X vectors, for interrupt-scale tests`,
    hostname: 'virt-dense-01',
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

export const vectors4kScenario: Scenario = build();
