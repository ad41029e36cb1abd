/**
 * ObservedHost over the sim: one walk per refresh however many read, a read
 * after an action sees the action, and never two walks at once.
 */
import { type GroupOwner, type Host, type Topology, VfioError } from '@vfioscope/host';
import { createSimHost, ManualClock } from '@vfioscope/host-sim';
import { DriveSession } from '@vfioscope/session';
import { afterEach, describe, expect, it } from 'vitest';
import { ObservedHost } from './observed-host.ts';

interface Walks {
  topology: number;
  owners: number;
  inFlight: number;
  maxInFlight: number;
  /** while set, each read is taken from the host at once but answered only when this resolves */
  hold: Promise<void> | null;
  /** the next owners() read fails with this */
  failOwners: Error | null;
}

/** The sim host with its topology() and owners() counted (and holdable); everything else untouched. */
function counted(host: Host): { host: Host; walks: Walks } {
  const walks: Walks = { topology: 0, owners: 0, inFlight: 0, maxInFlight: 0, hold: null, failOwners: null };
  const track = async <T>(what: 'topology' | 'owners', read: () => Promise<T>): Promise<T> => {
    walks[what]++;
    walks.inFlight++;
    walks.maxInFlight = Math.max(walks.maxInFlight, walks.inFlight);
    try {
      const fail = what === 'owners' ? walks.failOwners : null;
      walks.failOwners = what === 'owners' ? null : walks.failOwners;
      const value = await read(); // the state as of the call, as a slow walk of sysfs would see it
      await walks.hold;
      if (fail) throw fail;
      return value;
    } finally {
      walks.inFlight--;
    }
  };
  const wrapped: Host = Object.create(host, {
    topology: { value: (): Promise<Topology> => track('topology', () => host.topology()) },
    owners: { value: (): Promise<GroupOwner[]> => track('owners', () => host.owners()) },
  });
  return { host: wrapped, walks };
}

const selfGroups = (owners: readonly GroupOwner[]) => owners.filter((o) => o.self).map((o) => o.group);

function setup() {
  const clock = new ManualClock(0);
  const sim = createSimHost({ scenario: 'edu', clock });
  const session = new DriveSession(sim, { iommu: 'type1' });
  const { host, walks } = counted(sim);
  const observed = new ObservedHost({ host, session, clock: () => clock.now(), maxAgeMs: 2000 });
  cleanup.push(async () => {
    observed.dispose();
    await session.close();
    await sim.close();
  });
  return { clock, sim, session, observed, walks };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

describe('ObservedHost', () => {
  it('concurrent readers share one walk; a fresh snapshot is served as it is; an old one is walked again', async () => {
    const { clock, observed, walks } = setup();
    const all = await Promise.all(Array.from({ length: 20 }, () => observed.read()));
    expect(walks).toMatchObject({ topology: 1, owners: 1, maxInFlight: 2 });
    expect(new Set(all).size).toBe(1);
    expect(all[0]!.topology.groups.map((g) => g.id)).toContain(3);

    clock.advance(1999);
    expect(await observed.read()).toBe(all[0]);
    expect(walks).toMatchObject({ topology: 1, owners: 1 });

    clock.advance(1);
    const next = await observed.read();
    expect(walks).toMatchObject({ topology: 2, owners: 2 });
    expect(next.version).toBe(all[0]!.version + 1);
    expect(next.at).toBe(2000);
  });

  it('a session action that changes ownership is seen by the next read, with no time passing; DMA mapping is left to the schedule', async () => {
    const { session, observed, walks } = setup();
    expect(selfGroups((await observed.read()).owners)).toEqual([]);

    const { container } = await session.openGroup(3);
    expect(selfGroups((await observed.read()).owners)).toEqual([3]);
    expect(walks.owners).toBe(2);

    // VmLck moves with every map; a walk per map would make heavy mapping a walk per tick
    await session.mapDma(container, { iova: 0n, size: 0x1000n, read: true, write: false });
    await observed.read();
    expect(walks.owners).toBe(2);

    await session.closeGroup(3);
    expect(selfGroups((await observed.read()).owners)).toEqual([]);
    expect(walks.owners).toBe(3);
  });

  it('a read after invalidate() never gets the walk in flight before it, and waits for it rather than walking beside it', async () => {
    const { session, observed, walks } = setup();
    let release!: () => void;
    walks.hold = new Promise((r) => {
      release = r;
    });
    const before = observed.read(); // walks the host as it is: group 3 free
    await expect.poll(() => walks.inFlight).toBe(2);

    await session.openGroup(3); // its event invalidates the snapshot being walked
    const after = observed.read();
    const joined = observed.read();
    // the second walk may not start while the first is still reading
    await Promise.resolve();
    expect(walks).toMatchObject({ topology: 1, owners: 1 });

    walks.hold = null;
    release();
    expect(selfGroups((await before).owners)).toEqual([]);
    expect(selfGroups((await after).owners)).toEqual([3]);
    expect(await joined).toBe(await after);
    expect(walks).toMatchObject({ topology: 2, owners: 2, maxInFlight: 2 });
  });

  it("a failed walk rejects with the host's error (errno intact), keeps the last snapshot, and the next read walks again", async () => {
    const { clock, observed, walks } = setup();
    const first = await observed.read();
    clock.advance(2000);
    walks.failOwners = new VfioError('EACCES', 'open', '/proc/4242/fd: permission denied');
    await expect(observed.read()).rejects.toMatchObject({ errno: 'EACCES' });
    expect(observed.latest()).toBe(first);

    const again = await observed.read();
    expect(again.version).toBe(first.version + 1);
    expect(walks).toMatchObject({ topology: 3, owners: 3 });
  });
});
