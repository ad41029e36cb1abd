/**
 * Alerts, active and past, one row per vector or kernel condition (a flapping
 * vector raises many), and for the chosen row — at first the worst active
 * storm — a storm's rate at 1 s resolution with every storm shaded and the
 * threshold drawn, so a storm can be examined after it ended; a kernel
 * alert's row opens on what the kernel said and what to do.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { Area, AreaChart, CartesianGrid, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Alert, HistoryPoint, KernelAlert, PciDeviceView } from '@vfioscope/protocol';
import { type NiceAxis, niceAxis } from '../../format/axis-ticks.ts';
import { ownerLabel } from '../../format/owner.ts';
import { deviceLabel } from '../../format/pci-names.ts';
import { formatAgo, formatClock, formatRate, formatTime } from '../../format/units.ts';
import { AXIS_TICK, DANGER, GRID_STROKE } from '../../components/chart-theme.ts';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { kernelAlertClears, kernelAlertShort, kernelAlertSubject, kernelAlertTitle } from './kernel-alert-model.ts';
import { activeStorms, groupByVector, isStorm, stormReasonShort, vectorName } from './storm-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { ExportReportButton } from '../../report/ExportReportButton.tsx';

const HISTORY_REFRESH_MS = 5000;

export const AlertHistory = memo(function AlertHistory({
  alerts,
  now,
  names,
}: {
  alerts: Alert[];
  now: number;
  names: Map<string, PciDeviceView>;
}) {
  const { api, links } = useHostClient();
  const vectors = useMemo(() => groupByVector(alerts), [alerts]);
  const [chosen, setChosen] = useState<string | null>(null);
  // until the operator picks one: the worst active storm (the banner's), else the latest
  const worst = activeStorms(alerts)[0]?.key;
  const current = vectors.find((v) => v.key === chosen) ?? vectors.find((v) => v.key === worst) ?? vectors[0];
  const history = useAction(
    (key: string) => api.call('irqHistory', { query: { key, resolution: '1s' } }),
    () => 'loaded',
  );
  // only a storm has a rate history
  const key = current && isStorm(current.latest) ? current.key : null;
  // useAction's run is stable (useCallback with no dependencies): the effect restarts only when the key changes
  const loadHistory = history.run;
  useEffect(() => {
    if (!key) return;
    loadHistory(key);
    const t = window.setInterval(() => loadHistory(key), HISTORY_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [key, loadHistory]);
  const points = history.state.status === 'ok' && history.state.value.key === key ? history.state.value.points : [];
  const threshold = current && isStorm(current.latest) ? current.latest.threshold : null;
  const y = useMemo(() => niceAxis(Math.max(threshold ?? 0, ...points.map((p) => p.rate)), 'rate'), [points, threshold]);
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
              <th />
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
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setChosen(v.key);
                    }
                  }}
                  tabIndex={0}
                  aria-selected={v.key === current?.key}
                  data-testid={`alert-${a.id}`}
                  data-kind={a.kind}
                  data-key={v.key}
                  data-active={active}
                  data-chosen={v.key === current?.key}
                >
                  <td>{active ? <span className="badge bad">active</span> : <span className="badge">cleared</span>}</td>
                  <td>
                    {a.bdf ? (
                      <a className="mono" href={links.device(a.bdf)} title={names.get(a.bdf) ? deviceLabel(names.get(a.bdf)!) : undefined}>
                        {a.bdf}
                      </a>
                    ) : isStorm(a) ? null : (
                      <span className="mono">{kernelAlertSubject(a)}</span>
                    )}{' '}
                    <span className="mono">{isStorm(a) ? vectorName(a) : kernelAlertTitle(a)}</span>
                    <div className="faint small">{isStorm(a) || a.owner ? ownerLabel(a.owner) : 'kernel log'}</div>
                  </td>
                  <td className="muted">
                    {isStorm(a) ? stormReasonShort(a) : kernelAlertShort(a)}
                    {v.storms.length > 1 ? (
                      <div className="faint small">
                        {v.storms.length} {isStorm(a) ? 'storms' : 'times'}
                      </div>
                    ) : null}
                  </td>
                  <td className="num mono">{isStorm(a) ? formatRate(v.peak) : '—'}</td>
                  <td className="muted" title={formatTime(a.raisedAt)}>
                    {formatAgo(a.raisedAt, now)}
                    {a.clearedAt !== null ? (
                      <div className="faint small">lasted {Math.max(1, Math.round((a.clearedAt - a.raisedAt) / 1000))}s</div>
                    ) : null}
                  </td>
                  <td>
                    <ExportReportButton alert={a} />
                  </td>
                </tr>
              );
            })}
            {vectors.length === 0 ? (
              <tr>
                <td colSpan={6} className="empty">
                  No alerts so far.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="panel-body">
        {current && !isStorm(current.latest) ? (
          <KernelAlertDetail a={current.latest} />
        ) : current && isStorm(current.latest) ? (
          <>
            <div className="row" style={{ marginBottom: 6 }}>
              <span className="mono" data-testid="alert-chart-vector">
                {current.latest.bdf} {vectorName(current.latest)}
              </span>
              <span className="faint">rate, 1 s resolution · storms shaded · dashed: the storm threshold</span>
              <KernelAnswer state={history.state.status === 'error' ? history.state : { status: 'idle' }} />
            </div>
            <div
              style={{ height: 180 }}
              data-testid="alert-chart"
              data-key={current.key}
              data-points={points.length}
              data-ticks={y.ticks.map(y.format).join('|')}
            >
              <StormChart points={points} threshold={threshold} y={y} storms={current.storms} />
            </div>
          </>
        ) : (
          <div className="empty">Storm and kernel alerts appear here, and stay after they clear.</div>
        )}
      </div>
    </div>
  );
});

/** a kernel alert's story: what the kernel said and what to do, how many messages, when it clears */
function KernelAlertDetail({ a }: { a: KernelAlert }) {
  return (
    <div className="stack" data-testid="kernel-alert-detail" data-reason={a.reason}>
      <div className="row">
        <span className="mono">{a.bdf ?? kernelAlertSubject(a)}</span>
        <strong>{kernelAlertTitle(a)}</strong>
        <span className="faint">
          {kernelAlertShort(a)} · last {formatTime(a.lastAt)} · {kernelAlertClears(a)}
        </span>
      </div>
      <p>{a.message}</p>
    </div>
  );
}

/**
 * The chosen storm's chart, redrawn when its data changes (a refresh every HISTORY_REFRESH_MS) — not with each
 * second the rows' ages move by: an active storm's shading ends at the last point, where the x axis ends anyway,
 * not at now. Its Recharts redraw every second was ~5 % of a core on the interrupts view (a CPU profile of the storm
 * host at top 64).
 */
const StormChart = memo(function StormChart(props: { points: HistoryPoint[]; threshold: number | null; y: NiceAxis; storms: Alert[] }) {
  const { points, threshold, y } = props;
  const lastT = points.length ? points[points.length - 1]!.t : 0;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={GRID_STROKE} vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          domain={['dataMin', 'dataMax']}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          tickFormatter={formatClock}
        />
        <YAxis
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={56}
          domain={y.domain}
          ticks={y.ticks}
          tickFormatter={y.format}
          interval={0}
        />
        {threshold !== null ? <ReferenceLine y={threshold} stroke={DANGER} strokeDasharray="4 3" /> : null}
        {props.storms
          .filter(isStorm)
          .slice(0, 50)
          .map((s) => (
            <ReferenceArea
              key={s.id}
              x1={s.raisedAt}
              x2={s.clearedAt ?? Math.max(lastT, s.raisedAt)}
              fill={DANGER}
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
        <Area type="monotone" dataKey="rate" stroke={DANGER} fill={`${DANGER}33`} strokeWidth={1.5} isAnimationActive={false} dot={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
});
