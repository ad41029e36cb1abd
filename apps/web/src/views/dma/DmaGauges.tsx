/**
 * Pinned pages against RLIMIT_MEMLOCK and DMA entries against
 * dma_entry_limit for one container, with their history (stepped: the
 * values change only when something is mapped or unmapped).
 */
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis, CartesianGrid } from 'recharts';
import type { PinnedState } from '../../live/reducers.ts';
import { Gauge } from '../../components/Gauge.tsx';
import { AXIS_TICK, GRID_STROKE } from '../../components/chart-theme.ts';
import { type AxisKind, formatValue, niceAxis } from '../../format/axis-ticks.ts';
import { formatBytes, formatCount, formatTime } from '../../format/units.ts';

function History({
  points,
  dataKey,
  color,
  kind,
  testid,
}: {
  points: { t: number; v: number }[];
  dataKey: string;
  color: string;
  kind: AxisKind;
  testid: string;
}) {
  const y = niceAxis(Math.max(0, ...points.map((p) => p.v)), kind, 2);
  return (
    <div className="chart-box" data-testid={testid} data-points={points.length} data-ticks={y.ticks.map(y.format).join('|')}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 6, right: 6, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} hide />
          <YAxis
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={68}
            domain={y.domain}
            ticks={y.ticks}
            tickFormatter={y.format}
            interval={0}
          />
          <Tooltip
            isAnimationActive={false}
            content={({ active, payload }) =>
              active && payload?.length ? (
                <div className="chart-tooltip">
                  {formatTime(payload[0]!.payload.t as number)} · {formatValue(kind, payload[0]!.value as number)}
                </div>
              ) : null
            }
          />
          <Line
            type="stepAfter"
            dataKey={dataKey}
            stroke={color}
            strokeWidth={1.5}
            dot={points.length <= 2 ? { r: 2, fill: color } : false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function DmaGauges({ container, pinned, now }: { container: number; pinned: PinnedState | undefined; now: number }) {
  const stat = pinned?.latest.stats.find((s) => s.scope === 'container' && s.id === container);
  const entries = pinned?.latest.dmaEntries.find((e) => e.container === container);
  const hist = pinned?.history.get(container) ?? [];
  // extend the last value to now so a flat period still reads as "unchanged until now"
  const withNow = hist.length ? [...hist, { ...hist[hist.length - 1]!, t: Math.max(now, hist[hist.length - 1]!.t) }] : hist;
  return (
    <>
      <section className="panel" data-testid="pinned-panel">
        <div className="panel-head">
          <h3>Pinned by vfioscope</h3>
          <span className="faint">this container's pages, charged to vfioscope's own RLIMIT_MEMLOCK</span>
        </div>
        <div className="panel-body gauge-with-chart">
          <Gauge
            label="pinned vs vfioscope's RLIMIT_MEMLOCK"
            used={stat?.pinnedBytes ?? 0}
            limit={stat?.limitBytes ?? null}
            format={formatBytes}
            testid="pinned-gauge"
          />
          <History
            points={withNow.map((p) => ({ t: p.t, v: p.pinnedBytes }))}
            dataKey="v"
            color="#3cc8b8"
            kind="bytes"
            testid="pinned-history"
          />
        </div>
      </section>
      <section className="panel" data-testid="entries-panel">
        <div className="panel-head">
          <h3>DMA entries</h3>
        </div>
        <div className="panel-body gauge-with-chart">
          <Gauge
            label={entries?.limit === null ? 'mappings (iommufd: no mapping-count limit)' : 'mappings vs dma_entry_limit'}
            used={entries?.used ?? 0}
            limit={entries?.limit ?? null}
            format={formatCount}
            testid="entries-gauge"
          />
          <History
            points={withNow.map((p) => ({ t: p.t, v: p.entries }))}
            dataKey="v"
            color="#63a8ff"
            kind="count"
            testid="entries-history"
          />
        </div>
      </section>
    </>
  );
}
