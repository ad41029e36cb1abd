/**
 * A live rate chart (Recharts): a series of {t, rate} over a sliding time
 * window. Animation is off: the data itself moves every tick.
 */
import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryPoint } from '@vfioscope/protocol';
import { formatRate, formatTime } from '../format/units.ts';

const AXIS = { fontSize: 10, fill: '#5f6b7a' };

export const RateChart = memo(function RateChart(props: {
  points: HistoryPoint[];
  windowMs: number;
  now: number;
  height?: number;
  color?: string;
  testid?: string;
  axes?: boolean;
  format?: (v: number) => string;
  /** span only the data there is (up to windowMs), instead of always the whole window */
  fit?: boolean;
}) {
  const color = props.color ?? '#3cc8b8';
  const fmt = props.format ?? formatRate;
  const id = `g${color.replace('#', '')}`;
  const axes = props.axes ?? true;
  return (
    <div
      style={{ height: props.height ?? 90 }}
      data-testid={props.testid}
      data-points={props.points.length}
      data-last={props.points.length ? props.points[props.points.length - 1]!.rate : ''}
    >
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={props.points} margin={{ top: 4, right: 4, bottom: 0, left: axes ? 0 : 4 }}>
          <defs>
            <linearGradient id={id} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={color} stopOpacity={0.35} />
              <stop offset="100%" stopColor={color} stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <CartesianGrid stroke="#1a222c" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={[
              props.fit && props.points.length ? Math.max(props.points[0]!.t, props.now - props.windowMs) : props.now - props.windowMs,
              props.now,
            ]}
            allowDataOverflow
            hide={!axes}
            tick={AXIS}
            tickLine={false}
            axisLine={false}
            tickFormatter={(t: number) => `-${Math.round((props.now - t) / 1000)}s`}
            tickCount={5}
          />
          <YAxis hide={!axes} tick={AXIS} tickLine={false} axisLine={false} width={52} tickFormatter={fmt} allowDecimals={false} />
          <Tooltip
            isAnimationActive={false}
            content={({ active, payload }) =>
              active && payload?.length ? (
                <div className="chart-tooltip">
                  {formatTime(payload[0]!.payload.t as number)} · {fmt(payload[0]!.value as number)}
                </div>
              ) : null
            }
          />
          <Area
            type="monotone"
            dataKey="rate"
            stroke={color}
            strokeWidth={1.5}
            fill={`url(#${id})`}
            isAnimationActive={false}
            dot={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
});
