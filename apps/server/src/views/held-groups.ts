/**
 * What vfioscope holds through each group it opened — the container's
 * mappings and pinned bytes, the other groups sharing the container, the
 * vectors wired on the group's devices — so the UI can say what releasing
 * the group will tear down before the operator confirms it.
 */
import type { DriveSession } from '@vfioscope/session';
import type { HeldGroupView } from '@vfioscope/protocol';

export function heldGroups(session: DriveSession): Map<number, HeldGroupView> {
  const groups = session.groups();
  const containers = new Map(session.containers().map((c) => [c.id, c]));
  const wired = new Map<string, Map<string, number>>();
  for (const v of session.wiredVectors()) {
    const byIndex = wired.get(v.bdf) ?? new Map<string, number>();
    byIndex.set(v.indexName, (byIndex.get(v.indexName) ?? 0) + 1);
    wired.set(v.bdf, byIndex);
  }
  const out = new Map<number, HeldGroupView>();
  for (const g of groups) {
    const c = containers.get(g.container);
    out.set(g.group, {
      container: g.container,
      kind: c?.kind ?? 'type1',
      otherGroups: groups.filter((o) => o.container === g.container && o.group !== g.group).map((o) => o.group),
      mappings: c?.mappingCount ?? 0,
      pinnedBytes: Number(c?.pinnedBytes ?? 0n),
      irqs: g.devices.flatMap((bdf) =>
        [...(wired.get(bdf) ?? new Map<string, number>())].map(([index, vectors]) => ({
          bdf,
          index: index as HeldGroupView['irqs'][number]['index'],
          vectors,
        })),
      ),
    });
  }
  return out;
}
