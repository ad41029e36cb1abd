/**
 * Everything a LinuxHost holds open, released in the kernel's teardown order
 * — the one order of @vfioscope/host's rules/teardown.ts (irq, dma, device,
 * detach, group, context, memory), not one of our own. Each live object
 * says which stages it takes part in (a group device: IRQs off, then close;
 * a container: unmap all, then close; an IOAS: unmap all, then IOMMU_DESTROY;
 * …); closing the host collects those steps into a Teardown and runs them
 * synchronously, so the same path serves close() and a signal handler.
 * An object released on its own leaves the set, so nothing piles up in a
 * long-running server; every step is a no-op for an object already released.
 */
import { Teardown, type TeardownFailure } from '@vfioscope/host';

/** An object that holds something in the kernel or in process memory. */
export interface Owned {
  /**
   * Add this object's release steps to `t`, each at its stage. Steps are
   * synchronous (they may run from a signal handler) and skip what was
   * already released.
   */
  addTeardown(t: Teardown<void>): void;
}

export class Resources {
  private readonly live = new Set<Owned>();

  add(o: Owned): void {
    this.live.add(o);
  }

  /** an object released on its own (close(), free(), destroy()) */
  delete(o: Owned): void {
    this.live.delete(o);
  }

  get size(): number {
    return this.live.size;
  }

  /** Release everything in the kernel's teardown order; returns what failed (the rest is released all the same). */
  releaseAllSync(): TeardownFailure[] {
    const t = new Teardown<void>();
    for (const o of this.live) o.addTeardown(t);
    this.live.clear();
    return t.releaseSync();
  }
}
