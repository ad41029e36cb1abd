/**
 * The observed host: one snapshot of what observe mode reads from sysfs and
 * procfs — the topology (IOMMU groups, PCI devices, drivers) and the group
 * owners (which processes hold /dev/vfio/N or a device cdev, their locked and
 * pinned memory) — shared by telemetry, every route, stream producer and
 * /metrics, so the host is walked once per refresh rather than once per
 * reader (on Linux the owners walk reads every /proc/PID/fd).
 *
 * A snapshot is re-read when it is older than `maxAgeMs` (processes outside
 * vfioscope, a VM starting, come and go on their own) or after `invalidate()`
 * (vfioscope itself just changed what a walk would show). A read after an
 * invalidation never gets a walk that started before it: an action's own
 * effect is visible to the next reader. Concurrent readers share one walk and
 * there is never more than one walk at a time.
 */
import type { GroupOwner, Host, Topology } from '@vfioscope/host';
import type { DriveSession, SessionOp } from '@vfioscope/session';

export interface ObservedSnapshot {
  /** one more with every completed walk */
  readonly version: number;
  /** clock time the walk started: the snapshot is at least this fresh */
  readonly at: number;
  readonly topology: Topology;
  readonly owners: readonly GroupOwner[];
}

export interface ObservedHostOptions {
  host: Host;
  /** vfioscope's own session: its actions that change ownership invalidate the snapshot */
  session?: DriveSession;
  /** ms clock (the telemetry engine's) */
  clock?: () => number;
  /** a snapshot older than this is re-read by the next reader (default 2000 ms) */
  maxAgeMs?: number;
}

/**
 * Session actions after which a walk shows something else: vfioscope opening or
 * releasing a group file, a device fd (a cdev on iommufd), or everything.
 * DMA map/unmap only moves the owners' VmLck/VmPin, which the schedule
 * refreshes; invalidating on them would turn heavy mapping into a walk a tick.
 */
export function changesObservedHost(op: SessionOp): boolean {
  return op === 'openGroup' || op === 'closeGroup' || op === 'openDevice' || op === 'close';
}

interface Walk {
  /** the invalidation generation when the walk started */
  generation: number;
  done: Promise<ObservedSnapshot>;
}

export class ObservedHost {
  private readonly host: Host;
  private readonly clock: () => number;
  private readonly maxAgeMs: number;
  private readonly unsubscribe: (() => void) | null;
  private generation = 0;
  private version = 0;
  private current: { generation: number; snapshot: ObservedSnapshot } | null = null;
  private walking: Walk | null = null;

  constructor(opts: ObservedHostOptions) {
    this.host = opts.host;
    this.clock = opts.clock ?? Date.now;
    this.maxAgeMs = opts.maxAgeMs ?? 2000;
    this.unsubscribe =
      opts.session?.onEvent((e) => {
        // a failed action may still have changed something before it failed (e.g. a group opened, its attach refused)
        if (changesObservedHost(e.op)) this.invalidate();
      }) ?? null;
  }

  /** The snapshot as last read, without reading (null before the first walk). */
  latest(): ObservedSnapshot | null {
    return this.current?.snapshot ?? null;
  }

  /**
   * The current snapshot: as held when it is fresh and nothing invalidated it
   * since it was read, else after a walk (joining one in flight when that one
   * started after the last invalidation). A failed walk rejects with the
   * host's error unchanged, so its errno reaches the caller.
   */
  async read(): Promise<ObservedSnapshot> {
    const wanted = this.generation;
    for (;;) {
      const held = this.current;
      if (held && held.generation >= wanted && this.clock() - held.snapshot.at < this.maxAgeMs) return held.snapshot;
      const walk = this.walking;
      if (walk && walk.generation >= wanted) return walk.done;
      // a walk that started before the invalidation shows the old state: let it finish, then walk again
      if (walk) await walk.done.catch(() => undefined);
      else return this.startWalk().done;
    }
  }

  /** What vfioscope just did changed the host: the next read walks again. */
  invalidate(): void {
    this.generation++;
  }

  dispose(): void {
    this.unsubscribe?.();
  }

  private startWalk(): Walk {
    const generation = this.generation;
    const at = this.clock();
    const done = this.walk(at).then((snapshot) => {
      this.current = { generation, snapshot };
      return snapshot;
    });
    const walk: Walk = {
      generation,
      done: done.finally(() => {
        if (this.walking === walk) this.walking = null;
      }),
    };
    this.walking = walk;
    return walk;
  }

  private async walk(at: number): Promise<ObservedSnapshot> {
    // both settle before the walk ends, so a failure never leaves half a walk running beside the next
    const [topology, owners] = await Promise.allSettled([this.host.topology(), this.host.owners()]);
    if (topology.status === 'rejected') throw topology.reason;
    if (owners.status === 'rejected') throw owners.reason;
    return { version: ++this.version, at, topology: topology.value, owners: owners.value };
  }
}
