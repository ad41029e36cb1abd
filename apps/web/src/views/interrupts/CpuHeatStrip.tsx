/**
 * One small cell per CPU for a vector — the `irqtop -c` view of where its
 * interrupts land: brightness is the CPU's share of the vector's last-tick
 * rate, an outlined cell is the CPU the interrupt is programmed to
 * (effective_affinity_list), a dimmed one a CPU outside smp_affinity_list.
 */
import { memo } from 'react';
import { formatRate } from '../../format/units.ts';
import type { HeatCell } from './cpu-heat.ts';

export const CpuHeatStrip = memo(function CpuHeatStrip({ cells, testid }: { cells: HeatCell[]; testid: string }) {
  return (
    <span className="cpu-heat" role="img" aria-label={label(cells)} data-testid={testid}>
      {cells.map((c) => (
        <span
          key={c.cpu}
          className={`cpu-cell ${c.effective ? 'effective' : ''} ${c.allowed ? '' : 'disallowed'}`}
          style={{ opacity: c.rate > 0 ? 0.35 + 0.65 * c.share : undefined }}
          data-cpu={c.cpu}
          data-rate={c.rate}
          data-effective={c.effective || undefined}
          title={`CPU ${c.cpu}: ${formatRate(c.rate)}${c.effective ? ' · effective target' : ''}${c.allowed ? '' : ' · outside the affinity'}`}
        >
          {c.rate > 0 ? <span className="cpu-fill" /> : null}
        </span>
      ))}
    </span>
  );
});

function label(cells: HeatCell[]): string {
  const busy = cells.filter((c) => c.rate > 0).map((c) => `CPU ${c.cpu} ${formatRate(c.rate)}`);
  const eff = cells.filter((c) => c.effective).map((c) => c.cpu);
  return `${busy.length ? busy.join(', ') : 'no interrupts this tick'}; programmed to CPU ${eff.join(',') || 'unknown'}`;
}
