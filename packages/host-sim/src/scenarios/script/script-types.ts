/**
 * A scenario's script: a timeline of things that happen to the simulated
 * host, so a demo plays out the same way every time. It is data (JSON in a
 * scenario file), checked when the scenario loads (validate-script.ts), and
 * run by the sim kernel's clock (script-runner.ts): each step acts through
 * the sim kernel's own paths — interrupts through the device's bus, DMA
 * maps through type1, resets through vfio-pci — so what the dashboard shows
 * is what the kernel model made of it, never made-up data.
 *
 * Times are "mm:ss" from the start of the script. The script loops: at
 * `loop` the host is put back as it was at 00:00 (what the steps changed is
 * undone) and the timeline starts again.
 */
import type { ScenarioIrqLoad, ScenarioProcess } from '../scenario-types.ts';

/** "mm:ss", minutes 00–99, seconds 00–59 */
export type ScriptTime = string;

export type ScriptAction =
  /** only the narration: nothing happens to the host */
  | { kind: 'note' }
  /** the device raises `rate` interrupts/s on one vector, on top of its load, for `for` */
  | { kind: 'storm'; device: string; index?: ScenarioIrqLoad['index']; vector: number; rate: number; for: ScriptTime }
  /**
   * the VM `pid` maps `bytes` more of its RAM for DMA (QEMU does on memory
   * hot-plug): type1 pins them against the VM's RLIMIT_MEMLOCK
   */
  | { kind: 'vm-dma-map'; pid: number; bytes: number }
  /** the VM holding `device` resets it (VFIO_DEVICE_RESET, as QEMU does when the guest reboots) */
  | { kind: 'vm-reset'; device: string }
  /** the device's user DMAs `count` times to `iova`, which it never mapped: an IOMMU fault each */
  | { kind: 'dma-fault'; device: string; iova: number; count: number }
  /** a VM starts, holding its groups */
  | { kind: 'vm-start'; process: ScenarioProcess }
  /** the VM `pid` exits: its groups are released */
  | { kind: 'vm-stop'; pid: number };

export type ScriptActionKind = ScriptAction['kind'];

export interface ScriptStep {
  at: ScriptTime;
  /** the narration, written to the kernel log as user space writes to /dev/kmsg ("<scenario>: <say>") */
  say?: string;
  do: ScriptAction;
}

export interface ScenarioScript {
  /** the length of one pass: at this time the host is restored and the script starts again */
  loop: ScriptTime;
  steps: ScriptStep[];
}
