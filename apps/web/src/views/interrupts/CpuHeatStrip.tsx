/**
 * One small cell per CPU for a vector — the `irqtop -c` view of where its
 * interrupts land: a lit cell took interrupts last tick (brighter for a larger
 * share), an outlined one is the CPU the interrupt is programmed to
 * (effective_affinity_list), a dimmed one is outside smp_affinity_list.
 *
 * Drawn as one element whose background is a gradient of cells, not one
 * element per CPU: an expanded VF with 65 vectors on a 64-CPU host would
 * otherwise re-render thousands of nodes every tick.
 */
import { memo } from 'react';
import { formatRate } from '../../format/units.ts';
import { busiestCpus, type HeatCell } from './cpu-heat.ts';

const CELL_PX = 8;
const GAP_PX = 1;

function cellColor(c: HeatCell): string {
  if (c.rate > 0) return `color-mix(in srgb, var(--warn) ${Math.round(40 + 60 * c.share)}%, var(--line-strong))`;
  return c.allowed ? 'var(--line-strong)' : 'var(--line)';
}

function gradient(cells: HeatCell[]): string {
  const stops: string[] = [];
  cells.forEach((c, i) => {
    const x = i * (CELL_PX + GAP_PX);
    stops.push(`${cellColor(c)} ${x}px ${x + CELL_PX}px`, `transparent ${x + CELL_PX}px ${x + CELL_PX + GAP_PX}px`);
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

export const CpuHeatStrip = memo(
  function CpuHeatStrip({ cells, testid }: { cells: HeatCell[]; testid: string }) {
    const effective = cells.filter((c) => c.effective).map((c) => c.cpu);
    const busy = busiestCpus(cells);
    return (
      <span
        className="cpu-heat"
        role="img"
        aria-label={label(cells)}
        title={label(cells)}
        data-testid={testid}
        data-cpus={cells.length}
        data-busy={busy.join(',')}
        data-effective={effective.join(',')}
        style={{ width: cells.length * (CELL_PX + GAP_PX), background: gradient(cells) }}
      >
        {effective.map((cpu) => (
          <span key={cpu} className="cpu-effective" style={{ left: cpu * (CELL_PX + GAP_PX), width: CELL_PX }} />
        ))}
      </span>
    );
  },
  // the cells are rebuilt every tick; redraw only when what they show changed
  (a, b) => a.testid === b.testid && signature(a.cells) === signature(b.cells),
);

function signature(cells: HeatCell[]): string {
  return cells.map((c) => `${c.rate > 0 ? Math.round(c.share * 20) : '-'}${c.effective ? 'e' : ''}${c.allowed ? '' : 'x'}`).join('');
}

function label(cells: HeatCell[]): string {
  const busy = cells.filter((c) => c.rate > 0).map((c) => `CPU ${c.cpu} ${formatRate(c.rate)}`);
  const eff = cells.filter((c) => c.effective).map((c) => c.cpu);
  return `${busy.length ? busy.join(', ') : 'no interrupts this tick'}; programmed to CPU ${eff.join(',') || 'unknown'}`;
}
