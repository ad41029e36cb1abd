/**
 * What each kind of script step does to the simulated host, through the sim
 * kernel's own paths, and how it is undone when the script loops:
 *
 * - storm: the device raises the interrupts on its bus (the kernel routes
 *   them to the holder's vector, /proc/interrupts counts them); undone by
 *   its end.
 * - vm-dma-map: the VM's type1 container (the VM's IOMMU context: its own
 *   mm with the VM's VmLck and RLIMIT_MEMLOCK) maps and pins the new RAM —
 *   type1's vfio_pin_pages_remote() refuses past the limit with its line in
 *   the kernel log and ENOMEM; a map that succeeds is unmapped again.
 * - vm-reset: VFIO_DEVICE_RESET on the device, then the PCI core's wait for
 *   it to come back (kernel/pci-dev-wait.ts); a function that did not is
 *   power-cycled when the script loops.
 * - dma-fault: the device writes to an IOVA through the IOMMU (the kernel's
 *   DMAR fault line when nothing is mapped there).
 * - vm-start / vm-stop: a VM opens / releases its groups; undone by the
 *   opposite.
 *
 * A step the running host refuses (the operator holds the group a VM wants)
 * changes nothing and says so in its narration.
 */
import { VfioError } from '@vfioscope/host';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import { ProcessAddressSpace } from '../../kernel/address-space.ts';
import { pciDevWait } from '../../kernel/pci-dev-wait.ts';
import { resetMethods } from '../../kernel/pci-topology.ts';
import { SIM_PAGE_SIZE, type SimKernel } from '../../kernel/sim-kernel.ts';
import { Type1Iommu } from '../../kernel/type1.ts';
import { IRQ_INDEX_NAMES } from '../../kernel/vfio-pci-irqs.ts';
import type { ScenarioProcess } from '../scenario-types.ts';
import { scriptTimeMs } from './script-time.ts';
import type { ScriptAction } from './script-types.ts';

/** An interrupt storm a step started: `rate` per second on (index, vector) of `bdf` over [startMs, endMs) of the clock. */
export interface ActiveStorm {
  bdf: string;
  index: number;
  vector: number;
  rate: number;
  startMs: number;
  endMs: number;
}

export interface StepResult {
  /** how the host answered, for the narration ("VFIO_IOMMU_MAP_DMA: ENOMEM") */
  outcome?: string;
  /** put back what the step changed (run in reverse order when the script loops) */
  undo?: () => void;
  storm?: ActiveStorm;
}

/** the header registers pci_save_state() keeps: cache line size, BARs, ROM, interrupt line, and the command register, restored last */
const SAVED_HEADER: [number, 1 | 2 | 4][] = [
  [0x0c, 1],
  [0x10, 4],
  [0x14, 4],
  [0x18, 4],
  [0x1c, 4],
  [0x20, 4],
  [0x24, 4],
  [0x30, 4],
  [0x3c, 1],
  [0x04, 2],
];

/** Where guest RAM hot-plugged by a script is mapped: above the guest's RAM, inside VT-d's 39-bit aperture. */
const HOTPLUG_IOVA = 0x40_0000_0000n;

/** A VM's own IOMMU context, as QEMU's type1 container holds it: its mm (VmLck, RLIMIT_MEMLOCK) and its mappings. */
interface VmDma {
  space: ProcessAddressSpace;
  iommu: Type1Iommu;
  nextIova: bigint;
}

const failed = (e: unknown): string => {
  if (e instanceof VfioError) return `${e.op}: ${e.errno}`;
  throw e;
};

export class ScriptActions {
  private readonly vmDma = new Map<number, VmDma>();

  constructor(private readonly k: SimKernel) {}

  run(a: ScriptAction, atMs: number): StepResult {
    switch (a.kind) {
      case 'note':
        return {};
      case 'storm':
        return this.storm(a, atMs);
      case 'vm-dma-map':
        return this.vmDmaMap(a.pid, a.bytes);
      case 'vm-reset':
        return this.vmReset(a.device);
      case 'dma-fault':
        return this.dmaFault(a.device, a.iova, a.count);
      case 'vm-start':
        return this.vmStart(a.process);
      case 'vm-stop':
        return this.vmStop(a.pid);
    }
  }

  private storm(a: Extract<ScriptAction, { kind: 'storm' }>, atMs: number): StepResult {
    const fn = this.k.functions.get(a.device);
    const index = IRQ_INDEX_NAMES.indexOf(a.index ?? 'MSIX');
    const count = fn?.model.irqs().find((i) => i.index === index)?.count ?? 0;
    if (!fn || a.vector >= count) return { outcome: `${a.device} has no ${a.index ?? 'MSIX'} vector ${a.vector}` };
    const storm = { bdf: a.device, index, vector: a.vector, rate: a.rate, startMs: atMs, endMs: atMs + (scriptTimeMs(a.for) ?? 0) };
    return { storm };
  }

  private vmDmaMap(pid: number, bytes: number): StepResult {
    const p = this.k.processes.get(pid);
    if (!p) return { outcome: `no process ${pid}` };
    const vm = this.vmDmaOf(p);
    const buffer = vm.space.mmap(BigInt(bytes));
    const iova = vm.nextIova;
    try {
      vm.iommu.map({ iova, size: BigInt(bytes), vaddr: buffer.vaddr, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE }, vm.space, {
        container: 0,
      });
    } catch (e) {
      void buffer.free();
      return { outcome: failed(e) };
    }
    vm.nextIova += BigInt(bytes);
    this.setLocked(pid, vm);
    return {
      undo: () => {
        // type1's unmap unpins: VmLck goes back down
        vm.iommu.unmap({ iova, size: BigInt(bytes), flags: 0 }, { container: 0 });
        vm.nextIova -= BigInt(bytes);
        void buffer.free();
        this.setLocked(pid, vm);
      },
    };
  }

  /** the VM's VmLck as /proc/PID/status shows it follows what its container pinned */
  private setLocked(pid: number, vm: VmDma): void {
    const p = this.k.processes.get(pid);
    if (p) this.k.processes.set(pid, { ...p, lockedBytes: vm.space.lockedPages * SIM_PAGE_SIZE });
  }

  private vmDmaOf(p: ScenarioProcess): VmDma {
    let vm = this.vmDma.get(p.pid);
    if (!vm) {
      const space = new ProcessAddressSpace(p.pid, p.memlockLimit, SIM_PAGE_SIZE);
      // the guest RAM QEMU mapped at start is what the VM already has locked
      space.lockedPages = Math.floor(p.lockedBytes / SIM_PAGE_SIZE);
      vm = { space, iommu: new Type1Iommu(VFIO_TYPE1v2_IOMMU, this.k.scenario.dmaEntryLimit, this.k.kernelLog), nextIova: HOTPLUG_IOVA };
      this.vmDma.set(p.pid, vm);
    }
    return vm;
  }

  private vmReset(bdf: string): StepResult {
    const fn = this.k.functions.get(bdf);
    const holder = fn ? this.k.groups.get(fn.group)?.holder : undefined;
    if (!fn || holder?.kind !== 'process') return { outcome: `${bdf} is not held by a VM` };
    if (!fn.vfio) return { outcome: `${bdf} is not on vfio-pci` };
    const op = 'VFIO_DEVICE_RESET';
    // what the PCI core saved of the function (pci_save_state): the header the firmware set up
    const saved = SAVED_HEADER.map(([off, width]) => [off, width, fn.cfg.read(off, width)] as const);
    try {
      fn.vfio.reset();
      pciDevWait(this.k, fn, resetMethods(this.k, fn), op);
    } catch (e) {
      const outcome = failed(e);
      const powerCycle = () => {
        fn.model.powerCycle?.();
        // back on the bus, its saved state restored (pci_restore_state, as after a rescan)
        for (const [off, width, v] of saved) fn.cfg.write(off, width, v);
      };
      return { outcome, undo: powerCycle };
    }
    return {};
  }

  private dmaFault(bdf: string, iova: number, count: number): StepResult {
    const fn = this.k.functions.get(bdf);
    if (!fn) return { outcome: `no device ${bdf}` };
    let landed = 0;
    for (let i = 0; i < count; i++) {
      try {
        fn.bus.dmaWrite(BigInt(iova), new Uint8Array(4));
        landed++;
      } catch (e) {
        // the IOMMU refused it: the kernel printed the fault
        failed(e);
      }
    }
    return landed > 0 ? { outcome: `${landed} of ${count} writes landed: 0x${iova.toString(16)} is mapped` } : {};
  }

  private vmStart(process: ScenarioProcess): StepResult {
    for (const id of process.groups) {
      const g = this.k.groups.get(id);
      // open() of a group someone holds: EBUSY, and QEMU gives up before holding any
      if (g && (g.holder || g.cdevBound > 0 || g.dmaOwner)) return { outcome: `open /dev/vfio/${id}: EBUSY` };
    }
    try {
      this.k.addProcess(structuredClone(process));
    } catch (e) {
      return { outcome: failed(e) };
    }
    return { undo: () => this.k.removeProcess(process.pid) };
  }

  private vmStop(pid: number): StepResult {
    const p = this.k.processes.get(pid);
    if (!p) return { outcome: `no process ${pid}` };
    this.k.removeProcess(pid);
    // its container went with it
    this.vmDma.delete(pid);
    return { undo: () => this.vmStart(p) };
  }
}
