/**
 * The fleet: this server's host and every peer it fronts (serve --peers),
 * one row each, live — up or down since when, what it runs, its groups,
 * and the figures that say a host needs a look (storms, kernel alerts,
 * IOMMU faults, the tightest memlock and DMA-entry headroom, vectors). A
 * host in trouble is marked and sorts first; a host that is down keeps its
 * last known figures, greyed. A host's name opens it: the whole UI then
 * shows that host.
 */
import { useEffect, useState } from 'react';
import type { Headroom, HostSummary } from '@vfioscope/protocol';
import { href } from '../../app/router.ts';
import { useFleet } from '../../fleet/FleetProvider.tsx';
import { formatBytes } from '../../format/units.ts';
import { age, clock } from '../shell/data-age.ts';
import { FLEET_SORTS, type FleetRow, type FleetSort, fleetRows, LOW_HEADROOM } from './fleet-model.ts';

export function FleetView() {
  const fleet = useFleet();
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<FleetSort>('trouble');
  const [troubleOnly, setTroubleOnly] = useState(false);
  const now = useSecondClock();
  const rows = fleet.hosts ? fleetRows(fleet.hosts, { filter, sort, troubleOnly }) : [];
  const inTrouble = fleet.hosts ? fleetRows(fleet.hosts, { filter: '', sort, troubleOnly: true }).length : 0;
  return (
    <section className="fleet-view" data-testid="fleet">
      <div className="panel">
        <div className="panel-head">
          <h2>Fleet</h2>
          <span className="muted">
            {fleet.hosts === null
              ? 'asking the server for its hosts…'
              : `${fleet.hosts.length} host${fleet.hosts.length === 1 ? '' : 's'}, ${inTrouble} in trouble`}
          </span>
          {fleet.error ? (
            <span className="bad-text" data-testid="fleet-error">
              {fleet.error.errno}: {fleet.error.message}
            </span>
          ) : null}
          <span className="spacer" />
          <input
            type="search"
            aria-label="Filter hosts"
            placeholder="filter: name, kernel, backend"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <label className="muted">
            <input
              type="checkbox"
              checked={troubleOnly}
              onChange={(e) => setTroubleOnly(e.target.checked)}
              aria-label="Only hosts in trouble"
            />{' '}
            in trouble only
          </label>
          <select aria-label="Sort hosts" value={sort} onChange={(e) => setSort(e.target.value as FleetSort)}>
            {FLEET_SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                sort: {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="panel-body flush">
          <table className="data fleet-table">
            <thead>
              <tr>
                <th>Host</th>
                <th>State</th>
                <th>Kernel · backend</th>
                <th className="num" title="viable / all · held by VMs · held by vfioscope">
                  Groups
                </th>
                <th className="num">Storms</th>
                <th className="num" title="IOMMU faults the kernel logged in the last minute">
                  Faults/min
                </th>
                <th title="the pinned-memory budget (RLIMIT_MEMLOCK) with the least room left">Memlock</th>
                <th title="the container with the fewest DMA entries left under dma_entry_limit">DMA entries</th>
                <th className="num">Vectors</th>
                <th>Needs a look</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <HostRow key={r.host.name} row={r} now={now} />
              ))}
              {fleet.hosts !== null && rows.length === 0 ? (
                <tr className="absent">
                  <td colSpan={10}>no host matches</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function HostRow({ row, now }: { row: FleetRow; now: number }) {
  const { host, troubles } = row;
  const f = host.figures;
  const down = host.state === 'down';
  const cls = [down ? 'down' : '', troubles.length > 0 ? 'trouble' : ''].filter(Boolean).join(' ');
  return (
    <tr
      className={cls}
      data-testid={`fleet-host-${host.name}`}
      data-state={host.state}
      data-trouble={troubles.length > 0}
      data-storms={f?.alerts.storms ?? 0}
    >
      <td>
        <a href={href({ view: 'topology', host: host.self ? null : host.name })} className="host-name">
          {host.name}
        </a>
        {host.self ? <span className="badge info">this server</span> : null}
        {f && f.hostname !== host.name ? <div className="muted mono small">{f.hostname}</div> : null}
      </td>
      <td title={host.reason}>
        <span className={`dot ${down ? 'bad' : 'ok'}`} /> {host.state}
        <div className="muted small">
          since {clock(host.since)}, {age(host.since, now)}
        </div>
      </td>
      <td className="mono">{f ? `${f.kernel} · ${f.backend}${f.scenario ? ` (${f.scenario})` : ''}` : '—'}</td>
      <td className="num">
        {f ? (
          <>
            {f.groups.viable}/{f.groups.total}
            <div className="muted small">
              {f.groups.heldByVms} VMs · {f.groups.heldByVfioscope} vfioscope
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td className={`num ${f && f.alerts.storms > 0 ? 'bad-text' : ''}`}>{f ? f.alerts.storms : '—'}</td>
      <td className={`num ${f && f.iommuFaultsPerMinute > 0 ? 'bad-text' : ''}`}>{f ? f.iommuFaultsPerMinute : '—'}</td>
      <td>
        <HeadroomCell h={f?.memlock ?? null} bytes />
      </td>
      <td>
        <HeadroomCell h={f?.dmaEntries ?? null} />
      </td>
      <td className="num">{f ? `${f.vectors.inUse}/${f.vectors.limit}` : '—'}</td>
      <td>
        {troubles.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="troubles" data-testid="fleet-troubles">
            {troubles.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function HeadroomCell({ h, bytes = false }: { h: Headroom | null; bytes?: boolean }) {
  if (h === null) return <span className="muted">no limit in use</span>;
  const used = bytes ? `${formatBytes(h.used)} of ${formatBytes(h.limit)}` : `${h.used} of ${h.limit}`;
  const who = h.scope === 'container' ? `container ${h.id}` : h.name ? `${h.name} (pid ${h.id})` : `pid ${h.id}`;
  return (
    <span className={h.free < LOW_HEADROOM ? 'bad-text' : ''} title={who}>
      {Math.round(h.free * 100)} % free
      <div className="muted small">
        {used} · {who}
      </div>
    </span>
  );
}

/** re-render every second so "since … ago" stays true */
function useSecondClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  return now;
}
