/**
 * Storm alerts, active and past, one row per vector (a flapping vector raises
 * many), and for the chosen vector its rate at 1 s resolution with every storm
 * shaded — so a storm can be examined after it ended.
 */
import { useEffect, useMemo, useState } from 'react';
import { Area, AreaChart, CartesianGrid, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiPaths, type HistoryResponse, type StormAlert } from '@vfioscope/protocol';
import { get } from '../../api/rest.ts';
import { deviceHref } from '../../app/router.ts';
import { formatAgo, formatRate, formatTime } from '../../format/units.ts';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';

const AXIS = { fontSize: 10, fill: '#5f6b7a' };
const REASONS: Record<StormAlert['reason'], string> = {
  absolute: 'over threshold',
  baseline: 'over baseline',
  'intx-unmask-loop': 'unmask loop',
};
const HISTORY_REFRESH_MS = 5000;

interface VectorStorms {
  key: string;
  latest: StormAlert;
  /** newest first */
  storms: StormAlert[];
  peak: number;
}

/** alerts (any order) → one entry per vector, active ones first, then the most recent */
export function groupByVector(alerts: StormAlert[]): VectorStorms[] {
  const by = new Map<string, StormAlert[]>();
  for (const a of alerts) {
    const key = `${a.bdf}/${a.index}/${a.vector}`;
    by.set(key, [...(by.get(key) ?? []), a]);
  }
  return [...by.entries()]
    .map(([key, list]) => {
      const storms = list.sort((a, b) => b.raisedAt - a.raisedAt);
      return {
        key,
        latest: storms.find((s) => s.clearedAt === null) ?? storms[0]!,
        storms,
        peak: Math.max(...storms.map((s) => s.peakRate)),
      };
    })
    .sort((a, b) => Number(b.latest.clearedAt === null) - Number(a.latest.clearedAt === null) || b.latest.raisedAt - a.latest.raisedAt);
}

export function AlertHistory({ alerts, now }: { alerts: StormAlert[]; now: number }) {
  const vectors = useMemo(() => groupByVector(alerts), [alerts]);
  const [chosen, setChosen] = useState<string | null>(null);
  const current = vectors.find((v) => v.key === chosen) ?? vectors[0];
  const history = useAction(
    (key: string) => get<HistoryResponse>(`${apiPaths.irqHistory()}?key=${encodeURIComponent(key)}&resolution=1s`),
    () => 'loaded',
  );
  const key = current?.key ?? null;
  // useAction's run is stable (useCallback with no dependencies): the effect restarts only when the key changes
  const loadHistory = history.run;
  useEffect(() => {
    if (!key) return;
    loadHistory(key);
    const t = window.setInterval(() => loadHistory(key), HISTORY_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [key, loadHistory]);
  const points = history.state.status === 'ok' && history.state.value.key === key ? history.state.value.points : [];
  return (
    <div className="alert-grid" data-testid="alert-history">
      <div className="alert-table">
        <table className="data nowrap">
          <thead>
            <tr>
              <th>State</th>
              <th>Device · vector</th>
              <th>Why</th>
              <th className="num">Peak</th>
              <th>Last raised</th>
            </tr>
          </thead>
          <tbody>
            {vectors.map((v) => {
              const a = v.latest;
              const active = a.clearedAt === null;
              return (
                <tr
                  key={v.key}
                  className={`alert-row ${active ? 'active' : ''} ${v.key === current?.key ? 'chosen' : ''}`}
                  onClick={() => setChosen(v.key)}
                  data-testid={`alert-${a.id}`}
                  data-active={active}
                >
                  <td>{active ? <span className="badge bad">active</span> : <span className="badge">cleared</span>}</td>
                  <td>
                    <a className="mono" href={deviceHref(a.bdf)}>
                      {a.bdf}
                    </a>{' '}
                    <span className="mono">
                      {a.index}[{a.vector}]
                    </span>
                    <div className="faint small">{a.owner ? `${a.owner.comm} · pid ${a.owner.pid}` : 'vfioscope'}</div>
                  </td>
                  <td className="muted">
                    {REASONS[a.reason]}
                    {v.storms.length > 1 ? <div className="faint small">{v.storms.length} storms</div> : null}
                  </td>
                  <td className="num mono">{formatRate(v.peak)}</td>
                  <td className="muted" title={formatTime(a.raisedAt)}>
                    {formatAgo(a.raisedAt, now)}
                    {a.clearedAt !== null ? (
                      <div className="faint small">lasted {Math.max(1, Math.round((a.clearedAt - a.raisedAt) / 1000))}s</div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
            {vectors.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">
                  No storms so far.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="panel-body">
        {current ? (
          <>
            <div className="row" style={{ marginBottom: 6 }}>
              <span className="mono">
                {current.latest.bdf} {current.latest.index}[{current.latest.vector}]
              </span>
              <span className="faint">rate, 1 s resolution · storms shaded</span>
              <KernelAnswer state={history.state.status === 'error' ? history.state : { status: 'idle' }} />
            </div>
            <div style={{ height: 180 }} data-testid="alert-chart" data-points={points.length}>
              <ResponsiveContainer width="100%" height="100%">
                <AreaChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#1a222c" vertical={false} />
                  <XAxis
                    dataKey="t"
                    type="number"
                    domain={['dataMin', 'dataMax']}
                    tick={AXIS}
                    tickLine={false}
                    axisLine={false}
                    tickFormatter={(t: number) => formatTime(t).slice(0, 8)}
                  />
                  <YAxis tick={AXIS} tickLine={false} axisLine={false} width={56} tickFormatter={formatRate} />
                  {current.storms.slice(0, 50).map((s) => (
                    <ReferenceArea
                      key={s.id}
                      x1={s.raisedAt}
                      x2={s.clearedAt ?? now}
                      fill="#f06262"
                      fillOpacity={0.12}
                      ifOverflow="hidden"
                    />
                  ))}
                  <Tooltip
                    isAnimationActive={false}
                    content={({ active, payload }) =>
                      active && payload?.length ? (
                        <div className="chart-tooltip">
                          {formatTime(payload[0]!.payload.t as number)} · {formatRate(payload[0]!.value as number)}
                        </div>
                      ) : null
                    }
                  />
                  <Area
                    type="monotone"
                    dataKey="rate"
                    stroke="#f06262"
                    fill="#f0626233"
                    strokeWidth={1.5}
                    isAnimationActive={false}
                    dot={false}
                  />
                </AreaChart>
              </ResponsiveContainer>
            </div>
          </>
        ) : (
          <div className="empty">Storm alerts appear here, and stay after they clear.</div>
        )}
      </div>
    </div>
  );
}
