/**
 * Interrupts across the host: the total rate, the top vectors by rate (live),
 * and storm alerts with their history.
 */
import { useMemo } from 'react';
import { useAlerts, useHostLive, useRates } from '../../live/hooks.ts';
import { RateChart } from '../../components/RateChart.tsx';
import { formatCount, formatRate } from '../../format/units.ts';
import { TopVectors } from './TopVectors.tsx';
import { AlertHistory } from './AlertHistory.tsx';

const TOP = 25;

export function InterruptsView() {
  const rates = useRates().state;
  const alerts = useAlerts().state;
  const host = useHostLive().state;
  const sorted = useMemo(() => (rates ? [...rates.byKey.values()].sort((a, b) => b.rate - a.rate) : []), [rates]);
  const alertList = useMemo(
    () =>
      alerts
        ? [...alerts.values()].sort((a, b) => (a.clearedAt === null ? 0 : 1) - (b.clearedAt === null ? 0 : 1) || b.raisedAt - a.raisedAt)
        : [],
    [alerts],
  );
  const hot = useMemo(
    () => new Set(alertList.filter((a) => a.clearedAt === null).map((a) => `${a.bdf}/${a.index}/${a.vector}`)),
    [alertList],
  );
  const total = rates?.total ?? [];
  const now = rates?.t ?? Date.now();
  const totalRate = total.length ? total[total.length - 1]!.rate : 0;
  const active = alertList.filter((a) => a.clearedAt === null).length;
  // storms first when there are any: that is what the operator came for
  const alertsPanel = (
    <section className="panel">
      <div className="panel-head">
        <h3>Storm alerts</h3>
        <span className="faint">active and past · select one for its rate history</span>
      </div>
      <AlertHistory alerts={alertList} now={now} />
    </section>
  );
  return (
    <div className="page" data-testid="interrupts-view">
      <div className="page-head">
        <h1>Interrupts</h1>
        <span className="sub">every VFIO vector on the host — owned eventfds and /proc/interrupts</span>
      </div>
      <div className="stat-strip">
        <div className="stat" data-testid="total-rate">
          <span className="k">Host VFIO rate</span>
          <span className="v">{formatRate(totalRate)}</span>
        </div>
        <div className="stat">
          <span className="k">Active vectors</span>
          <span className="v">
            {formatCount(sorted.filter((r) => r.rate > 0).length)} / {formatCount(sorted.length)}
          </span>
        </div>
        <div className="stat">
          <span className="k">Vectors in use</span>
          <span className="v">{host ? `${formatCount(host.live.vectorsInUse)} / ${formatCount(host.info.vectorLimit)}` : '—'}</span>
        </div>
        <div className="stat">
          <span className="k">Storms</span>
          <span className={`v ${active ? 'bad-text' : ''}`} data-testid="storm-count">
            {active ? `${active} active` : 'none'}
          </span>
        </div>
        <div className="stat chart">
          <RateChart points={total} now={now} windowMs={60_000} height={64} axes={false} fit testid="total-rate-chart" />
        </div>
      </div>
      <div className="stack">
        {alertList.length ? alertsPanel : null}
        <section className="panel">
          <div className="panel-head">
            <h3>Top vectors</h3>
            <span className="faint">by rate, live</span>
          </div>
          <div className="panel-body flush">
            <TopVectors rates={sorted} hotKeys={hot} limit={TOP} />
          </div>
        </section>
        {alertList.length ? null : alertsPanel}
      </div>
    </div>
  );
}
