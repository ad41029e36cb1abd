/**
 * The kernel's teardown order, in one place. Whoever holds VFIO objects —
 * the linux backend (on close and from a signal handler), the conformance
 * suite's per-case scope, the drive session releasing a group — releases
 * them stage by stage in this order:
 *
 *  irq      interrupts off (VFIO_DEVICE_SET_IRQS DATA_NONE|TRIGGER, count 0), so no eventfd fires into a closing fd
 *  dma      mappings removed (UNMAP_DMA / IOMMU_IOAS_UNMAP): a device still doing DMA faults instead of writing
 *  device   device fds closed (a cdev's close also detaches and unbinds it)
 *  detach   groups taken off their context (VFIO_GROUP_UNSET_CONTAINER: EBUSY while a device fd is open)
 *  group    group fds closed
 *  context  containers closed, IOAS destroyed, /dev/iommu closed (EBUSY while a device is attached)
 *  memory   process memory (DMA buffers) unmapped and eventfds closed, now that nothing can reach them
 *  host     host-level changes (driver bindings, foreign holders made by a test)
 *
 * (QEMU's vfio_detach_device / vfio_disconnect_container and rust-vmm's Drop
 * order follow the same dependencies.) Within a stage the last registered
 * goes first; one failure never keeps the rest held.
 */
export const TEARDOWN_STAGES = ['irq', 'dma', 'device', 'detach', 'group', 'context', 'memory', 'host'] as const;
export type TeardownStage = (typeof TEARDOWN_STAGES)[number];

interface Step<R> {
  stage: TeardownStage;
  what: string;
  release: () => R;
}

export interface TeardownFailure {
  what: string;
  error: unknown;
}

/** Release steps registered in any order, run in the kernel's. */
export class Teardown<R = Promise<void>> {
  private steps: Step<R>[] = [];

  add(stage: TeardownStage, what: string, release: () => R): void {
    this.steps.push({ stage, what, release });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Take every step in teardown order, leaving the list empty. */
  private drain(): Step<R>[] {
    const ordered = TEARDOWN_STAGES.flatMap((stage) => this.steps.filter((s) => s.stage === stage).reverse());
    this.steps = [];
    return ordered;
  }

  /** Run every step (synchronous releases: safe from a signal handler); returns what failed. */
  releaseSync(this: Teardown<void>): TeardownFailure[] {
    const failures: TeardownFailure[] = [];
    for (const s of this.drain()) {
      try {
        s.release();
      } catch (error) {
        failures.push({ what: s.what, error });
      }
    }
    return failures;
  }

  /** Run every step, awaiting each; returns what failed. */
  async release(this: Teardown<Promise<void>>): Promise<TeardownFailure[]> {
    const failures: TeardownFailure[] = [];
    for (const s of this.drain()) {
      try {
        await s.release();
      } catch (error) {
        failures.push({ what: s.what, error });
      }
    }
    return failures;
  }
}
