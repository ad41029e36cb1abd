/**
 * Interrupts across the host: the total rate, how many vectors fire against
 * how many the host has allocated, the top vectors grouped by device or VM
 * (live rates, stable ranks), a chart grid of the busiest vectors, and alerts
 * (storms and the kernel's) with their history.
 */
import { useMemo } from 'react';
import { useAlerts, useHostLive, useRates } from '../../live/hooks.ts';
import { SparklineView } from '../../components/Sparkline.tsx';
import { useHeld, useTickEpoch } from '../../components/usePaced.ts';
import { formatCount, formatRate } from '../../format/units.ts';
import { useDevicesByBdf } from '../topology/use-devices.ts';
import { TopVectors } from './TopVectors.tsx';
import { AlertHistory } from './AlertHistory.tsx';
import { VectorCharts } from './VectorCharts.tsx';
import { activeStorms } from './storm-model.ts';

export function InterruptsView() {
  const rates = useRates().state;
  const alerts = useAlerts().state;
  const host = useHostLive().state;
  const names = useDevicesByBdf();
  const alertList = useMemo(() => (alerts ? [...alerts.values()] : []), [alerts]);
  const active = useMemo(() => activeStorms(alertList), [alertList]);
  const hotKey = active.map((a) => a.key).join(',');
  // a new set only when the storming keys change, so the table's memoised rows survive ticks
  const hot = useMemo(() => new Set(hotKey ? hotKey.split(',') : []), [hotKey]);
  const thresholdKey = active.map((a) => `${a.key}=${a.threshold}`).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the storms or their thresholds change, not every tick
  const thresholds = useMemo(() => new Map(active.map((a) => [a.key, a.threshold])), [thresholdKey]);
  const total = rates?.total ?? [];
  // a fresh array every tick (the store's): the chart gets it at the redraw clock's pace, in the frame of a tick
  const totalEpoch = useTickEpoch(rates?.t ?? 0);
  const totalDrawn = useHeld(total, totalEpoch);
  const now = rates?.t ?? Date.now();
  const totalRate = total.length ? total[total.length - 1]!.rate : 0;
  // the alert history ages its rows by the second: a whole-second clock lets it skip the other nine ticks (its chart is costly)
  const nowSecond = Math.floor(now / 1000) * 1000;
  let firing = 0;
  for (const r of rates?.byKey.values() ?? []) if (r.rate > 0) firing++;
  // storms first when there are any: that is what the operator came for
  const alertsPanel = (
    <section className="panel">
      <div className="panel-head">
        <h3>Alerts</h3>
        <span className="faint">
          interrupt storms and the kernel's alerts, active and past · opens on the worst active storm · select one for its story
        </span>
      </div>
      <AlertHistory alerts={alertList} now={nowSecond} names={names} />
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
        <div className="stat" data-testid="vectors-firing" title="vectors that fired in the last tick, of every VFIO vector seen">
          <span className="k">Vectors firing now</span>
          <span className="v">
            {formatCount(firing)} <span className="faint">of {formatCount(rates?.byKey.size ?? 0)} wired</span>
          </span>
        </div>
        <div
          className="stat"
          data-testid="vectors-allocated"
          title="interrupt vectors VFIO devices hold on the host (every owner), against the host's limit"
        >
          <span className="k">Host vectors allocated</span>
          <span className="v">
            {host ? (
              <>
                {formatCount(host.live.vectorsInUse)} <span className="faint">of {formatCount(host.info.vectorLimit)} limit</span>
              </>
            ) : (
              '—'
            )}
          </span>
        </div>
        <div className="stat">
          <span className="k">Storms</span>
          <span className={`v ${active.length ? 'bad-text' : ''}`} data-testid="storm-count">
            {active.length ? `${active.length} active` : 'none'}
          </span>
        </div>
        <div className="stat chart">
          {/* a Sparkline, not Recharts: the strip's chart has no axes or tooltip, and its redraw is a path, not an SVG tree */}
          <SparklineView
            epoch={totalEpoch}
            points={totalDrawn}
            windowMs={60_000}
            height={56}
            threshold={null}
            fit
            testid="total-rate-chart"
          />
        </div>
      </div>
      <div className="stack">
        {alertList.length ? alertsPanel : null}
        <section className="panel">
          <div className="panel-head">
            <h3>Top vectors</h3>
            <span className="faint">
              by rate, live · expand a row for its vectors, the CPUs taking them and their affinity · sort by any column
            </span>
          </div>
          <div className="panel-body flush">
            <TopVectors rates={rates?.byKey} t={now} hotKeys={hot} names={names} cpus={host?.info.cpus ?? 0} />
          </div>
        </section>
        <VectorCharts rates={rates?.byKey} t={now} hotKeys={hot} thresholds={thresholds} />
        {alertList.length ? null : alertsPanel}
      </div>
    </div>
  );
}
