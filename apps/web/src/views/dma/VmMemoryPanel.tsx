/**
 * Locked memory of every process that holds VFIO groups (the VMs, by name),
 * each against its own RLIMIT_MEMLOCK: type1 charges a guest's pinned RAM to
 * its locked_vm, so a VM near its limit fails its next map (a hot-plug, a
 * balloon deflate) with ENOMEM. From the pinned topic's process stats; the
 * containers below are vfioscope's own, charged to its own limit.
 */
import { useMemo } from 'react';
import type { PinnedStat } from '@vfioscope/protocol';
import { useTopology } from '../../live/hooks.ts';
import { Gauge } from '../../components/Gauge.tsx';
import { processLabel } from '../../format/owner.ts';
import { formatBytes, formatBytesOf } from '../../format/units.ts';

export function VmMemoryPanel({ stats }: { stats: PinnedStat[] }) {
  const topo = useTopology().state;
  // vfioscope's own process: its figure is the containers' gauges below, against its own limit
  const selfPids = useMemo(() => new Set(topo?.groups.flatMap((g) => g.owners.filter((o) => o.self).map((o) => o.pid)) ?? []), [topo]);
  const procs = stats.filter((s) => s.scope === 'process' && s.pid !== undefined && s.comm !== undefined && !selfPids.has(s.pid));
  if (procs.length === 0) return null;
  return (
    <section className="panel vm-memory" data-testid="vm-memory">
      <div className="panel-head">
        <h3>VMs</h3>
        <span className="faint">locked memory of each process holding VFIO groups, against its own RLIMIT_MEMLOCK</span>
      </div>
      <div className="panel-body vm-gauges">
        {procs.map((s) => {
          const who = { pid: s.pid!, comm: s.comm!, vm: s.vm ?? null };
          return (
            <Gauge
              key={s.id}
              label={processLabel(who)}
              used={s.lockedBytes}
              limit={s.limitBytes}
              format={formatBytes}
              value={
                s.limitBytes === null
                  ? `${formatBytes(s.lockedBytes)} locked, no limit`
                  : `${formatBytesOf(s.lockedBytes, s.limitBytes)} locked`
              }
              testid={`vm-memory-${s.pid}`}
            />
          );
        })}
      </div>
    </section>
  );
}
