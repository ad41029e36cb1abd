/**
 * A live rate chart (Recharts): a series of {t, rate} over a sliding time
 * window. Animation is off: the data itself moves every tick. The value axis
 * has round ticks (format/axis-ticks.ts) and, while the vector storms, the
 * threshold that made it a storm is drawn as a line, so "how bad" reads
 * against "how much is too much". The chart redraws at the redraw clock's
 * pace (usePaced: every 500 ms, not in a hidden tab) while its data
 * attributes — what tests and benches read — follow every tick.
 */
import { memo, useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryPoint } from '@vfioscope/protocol';
import { type AxisKind, formatValue, type NiceAxis, niceAxis } from '../format/axis-ticks.ts';
import { formatTime } from '../format/units.ts';
import { AXIS_TICK, DANGER, GRID_STROKE } from './chart-theme.ts';
import { usePaced } from './usePaced.ts';

interface ChartProps {
  points: HistoryPoint[];
  windowMs: number;
  now: number;
  height?: number;
  color?: string;
  testid?: string;
  axes?: boolean;
  /** what the values are: interrupts per second (default), bytes or a count */
  kind?: AxisKind;
  /** span only the data there is (up to windowMs), instead of always the whole window */
  fit?: boolean;
  /** the storm threshold to draw (per second), null when the vector is not storming */
  threshold?: number | null;
}

export const RateChart = memo(function RateChart(props: ChartProps) {
  const threshold = props.threshold ?? null;
  const last = props.points.length ? props.points[props.points.length - 1]! : null;
  const drawn = usePaced(props);
  const y = useMemo(() => axisOf(drawn), [drawn]);
  return (
    <div
      style={{ height: props.height ?? 90 }}
      data-testid={props.testid}
      data-points={props.points.length}
      data-last={last ? last.rate : ''}
      data-last-t={last ? last.t : ''}
      data-threshold={threshold ?? undefined}
      data-ticks={y.ticks.map(y.format).join('|')}
    >
      <Chart {...drawn} y={y} />
    </div>
  );
});

function axisOf(props: ChartProps): NiceAxis {
  let max = props.threshold ?? 0;
  for (const p of props.points) if (p.rate > max) max = p.rate;
  return niceAxis(max, props.kind ?? 'rate');
}

const Chart = memo(function Chart(props: ChartProps & { y: NiceAxis }) {
  const color = props.color ?? '#3cc8b8';
  const kind = props.kind ?? 'rate';
  const id = `g${color.replace('#', '')}`;
  const axes = props.axes ?? true;
  const threshold = props.threshold ?? null;
  const y = props.y;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={props.points} margin={{ top: 4, right: 4, bottom: 0, left: axes ? 0 : 4 }}>
        <defs>
          <linearGradient id={id} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor={color} stopOpacity={0.35} />
            <stop offset="100%" stopColor={color} stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid stroke={GRID_STROKE} vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          domain={[
            props.fit && props.points.length ? Math.max(props.points[0]!.t, props.now - props.windowMs) : props.now - props.windowMs,
            props.now,
          ]}
          allowDataOverflow
          hide={!axes}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          tickFormatter={(t: number) => `-${Math.round((props.now - t) / 1000)}s`}
          tickCount={5}
        />
        <YAxis
          hide={!axes}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={52}
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
        {threshold !== null ? (
          <ReferenceLine
            y={threshold}
            stroke={DANGER}
            strokeDasharray="4 3"
            label={{ value: `storm ≥ ${formatValue(kind, threshold)}`, position: 'insideTopLeft', fill: DANGER, fontSize: 10 }}
          />
        ) : null}
        <Area type="monotone" dataKey="rate" stroke={color} strokeWidth={1.5} fill={`url(#${id})`} isAnimationActive={false} dot={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
});
