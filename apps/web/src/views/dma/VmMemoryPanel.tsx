/**
 * Locked memory of every process that holds VFIO groups (the VMs, by name),
 * each against its own RLIMIT_MEMLOCK: type1 charges a guest's pinned RAM to
 * its locked_vm, so a VM near its limit fails its next map (a hot-plug, a
 * balloon deflate) with ENOMEM. From the pinned topic's process stats; the
 * containers below are vfioscope's own, charged to its own limit.
 *
 * The DMA view is about vfioscope's containers, so this stays one line when
 * there are more than a few VMs (a fleet host has dozens): the tightest ones
 * named in the summary, every gauge a click away.
 */
import type { PinnedStat } from '@vfioscope/protocol';
import { Gauge } from '../../components/Gauge.tsx';
import { processLabel } from '../../format/owner.ts';
import { formatBytes, formatBytesOf, percentLabel } from '../../format/units.ts';

/** VMs shown open; beyond this the panel starts folded to its summary line */
const OPEN_UP_TO = 3;

const pressure = (s: PinnedStat) => (s.limitBytes ? s.lockedBytes / s.limitBytes : 0);

export function VmMemoryPanel({ stats }: { stats: PinnedStat[] }) {
  const procs = stats
    .filter((s) => s.scope === 'process' && s.pid !== undefined && s.comm !== undefined && s.self !== true)
    .sort((a, b) => pressure(b) - pressure(a) || b.lockedBytes - a.lockedBytes);
  if (procs.length === 0) return null;
  const tightest = procs
    .slice(0, 3)
    .map((s) => `${s.vm ?? s.comm} ${percentLabel(s.lockedBytes, s.limitBytes) ?? formatBytes(s.lockedBytes)}`)
    .join(' · ');
  return (
    <details className="panel vm-memory" data-testid="vm-memory" open={procs.length <= OPEN_UP_TO}>
      <summary className="panel-head">
        <h3>VMs</h3>
        <span className="faint">
          {procs.length} holding VFIO groups, locked memory against each one's RLIMIT_MEMLOCK · tightest: {tightest}
        </span>
      </summary>
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
    </details>
  );
}
