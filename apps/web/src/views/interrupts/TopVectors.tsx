/**
 * The busiest interrupt vectors on the host, across every owner: grouped by
 * device (or by owner, a VM's devices together) with each group expandable
 * to its vectors, sortable by any column, named (device model, VM), ranked
 * stably (ranks refresh at most every 2 s, or not at all while paused; the
 * numbers stay live), each vector with its per-CPU heat strip, affinity and
 * a form to move it (like `irqtop -c`), and walkable from the keyboard as a tree grid: arrows
 * move between rows, right/left expand and collapse, Enter opens.
 */
import { type KeyboardEvent, memo, useMemo, useRef, useState } from 'react';
import type { PciDeviceView, VectorRate } from '@vfioscope/protocol';
import { ownerLabel } from '../../format/owner.ts';
import { deviceLabel } from '../../format/pci-names.ts';
import { formatCount, formatRate } from '../../format/units.ts';
import { AffinityForm } from './AffinityForm.tsx';
import { heatCells } from './cpu-heat.ts';
import { CpuHeatStrip } from './CpuHeatStrip.tsx';
import { vectorName } from './storm-model.ts';
import {
  type GroupBy,
  groupVectors,
  type Ranking,
  rerank,
  type SortDir,
  sortGroups,
  type TopSortKey,
  type VectorGroup,
} from './top-vectors-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

/** how long a ranking holds before the rows may reorder */
export const RANK_HOLD_MS = 2000;
const SHOWN = 25;

function Bar({ rate, max, hot }: { rate: number; max: number; hot: boolean }) {
  return <div className={`bar ${hot ? 'hot' : ''}`} style={{ width: `${max > 0 ? (rate / max) * 100 : 0}%` }} />;
}

const GroupRow = memo(function GroupRow(props: {
  g: VectorGroup;
  rank: number;
  max: number;
  by: GroupBy;
  expanded: boolean;
  onToggle: (key: string) => void;
  names: Map<string, PciDeviceView>;
}) {
  const { links } = useHostClient();
  const { g } = props;
  const hottest = g.vectors.reduce((a, b) => (b.rate > a.rate ? b : a), g.vectors[0]!);
  const pci = props.names.get(g.bdfs[0]!);
  return (
    <tr
      className={`top-group ${g.hot ? 'hot' : ''}`}
      data-testid={`top-group-${g.key}`}
      data-key={g.key}
      data-rate={g.rate}
      data-href={props.by === 'device' ? links.device(g.key) : undefined}
      tabIndex={0}
      aria-level={1}
      aria-expanded={props.expanded}
    >
      <td className="expander">
        <button
          type="button"
          tabIndex={-1}
          className="btn ghost small"
          aria-label={`${props.expanded ? 'hide' : 'show'} the vectors of ${g.key}`}
          onClick={() => props.onToggle(g.key)}
        >
          {props.expanded ? '▾' : '▸'}
        </button>
      </td>
      <td className="num faint">{props.rank}</td>
      <td>
        {props.by === 'device' ? (
          <>
            <a className="mono" href={links.device(g.key)} tabIndex={-1}>
              {g.key}
            </a>{' '}
            <span className="muted">{pci ? deviceLabel(pci) : ''}</span>
          </>
        ) : (
          <span className="mono">{g.bdfs.length === 1 ? g.bdfs[0] : `${g.bdfs.length} devices: ${g.bdfs.join(', ')}`}</span>
        )}
      </td>
      <td className="owner-cell">{ownerLabel(g.owner)}</td>
      <td className="num">
        {g.vectors.length}
        {g.vectors.length > 1 ? <span className="faint small"> · top {vectorName(hottest)}</span> : null}
      </td>
      <td style={{ width: '18%' }}>
        <Bar rate={g.rate} max={props.max} hot={g.hot} />
      </td>
      <td className={`num mono ${g.hot ? 'bad-text' : ''}`}>{formatRate(g.rate)}</td>
      <td className="num mono faint">{formatCount(g.count)}</td>
    </tr>
  );
});

const VectorRow = memo(function VectorRow({ r, max, hot, cpus }: { r: VectorRate; max: number; hot: boolean; cpus: number }) {
  const { links } = useHostClient();
  const cells = heatCells(r, cpus);
  return (
    <>
      <tr
        className={`top-vector ${hot ? 'hot' : ''}`}
        data-testid={`top-${r.key}`}
        data-rate={r.rate}
        data-href={links.device(r.bdf)}
        tabIndex={0}
        aria-level={2}
      >
        <td />
        <td />
        <td className="mono">
          <span className="faint">{r.bdf}</span> {vectorName(r)}
          {r.irq !== undefined ? <span className="faint small"> · IRQ {r.irq}</span> : null}
          {hot ? <span className="badge bad">storm</span> : null}
        </td>
        <td>
          <span className={`badge ${r.source === 'owned' ? 'accent' : 'outline'}`}>
            {r.source === 'owned' ? 'eventfd' : '/proc/interrupts'}
          </span>
        </td>
        <td />
        <td>
          <Bar rate={r.rate} max={max} hot={hot} />
        </td>
        <td className={`num mono ${hot ? 'bad-text' : ''}`}>{formatRate(r.rate)}</td>
        <td className="num mono faint">{formatCount(r.count)}</td>
      </tr>
      {r.irq !== undefined ? (
        <tr className="top-vector-cpus" data-testid={`cpus-${r.key}`}>
          <td />
          <td />
          <td colSpan={6}>
            <div className="cpu-row">
              <CpuHeatStrip cells={cells} testid={`heat-${r.key}`} />
              <span className="faint small" data-testid={`affinity-${r.key}`}>
                affinity <span className="mono">{r.affinity ?? '?'}</span> · effective <span className="mono">{r.effective ?? '?'}</span>
              </span>
              <AffinityForm key={r.affinity ?? ''} r={r} />
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
});

/** arrows between rows, right/left (or Space) to expand and collapse, Enter to open the device */
function onGridKey(e: KeyboardEvent<HTMLTableSectionElement>, toggle: (key: string, open?: boolean) => void): void {
  const row = (e.target as HTMLElement).closest('tr');
  if (!row) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLTableRowElement>('tr[tabindex]')];
  const i = rows.indexOf(row);
  const focus = (r: HTMLTableRowElement | undefined) => r?.focus();
  const key = row.dataset.key;
  switch (e.key) {
    case 'ArrowDown':
      focus(rows[i + 1]);
      break;
    case 'ArrowUp':
      focus(rows[i - 1]);
      break;
    case 'Home':
      focus(rows[0]);
      break;
    case 'End':
      focus(rows[rows.length - 1]);
      break;
    case 'ArrowRight':
      if (key) toggle(key, true);
      break;
    case 'ArrowLeft':
      if (key) toggle(key, false);
      else {
        // from a vector to its group
        let j = i;
        while (j > 0 && !rows[j]!.dataset.key) j--;
        focus(rows[j]);
      }
      break;
    case ' ':
      if (key) toggle(key);
      break;
    case 'Enter':
      if (row.dataset.href) window.location.hash = row.dataset.href;
      else if (key) toggle(key);
      break;
    default:
      return;
  }
  e.preventDefault();
}

export function TopVectors(props: {
  rates: Map<string, VectorRate> | undefined;
  /** the server's time of the rates (ranks age by it) */
  t: number;
  hotKeys: Set<string>;
  names: Map<string, PciDeviceView>;
  /** the host's CPU count: the width of each vector's heat strip */
  cpus: number;
}) {
  const [by, setBy] = useState<GroupBy>('device');
  const [sortKey, setSortKey] = useState<TopSortKey>('rate');
  const [dir, setDir] = useState<SortDir>('desc');
  const [paused, setPaused] = useState(false);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const ranking = useRef<Ranking | null>(null);

  const groups = useMemo(() => groupVectors(props.rates?.values() ?? [], by, props.hotKeys), [props.rates, by, props.hotKeys]);
  const sorted = useMemo(() => sortGroups(groups, sortKey, dir), [groups, sortKey, dir]);
  // the shown order: refreshed from `sorted` at most every RANK_HOLD_MS (see rerank)
  const order = useMemo(() => {
    const next = rerank(
      ranking.current,
      sorted.map((g) => g.key),
      props.t,
      RANK_HOLD_MS,
      paused,
    );
    ranking.current = next;
    return next.order;
  }, [sorted, props.t, paused]);
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const rows = order.map((k) => byKey.get(k)).filter((g): g is VectorGroup => g !== undefined);
  const shown = showAll ? rows : rows.slice(0, SHOWN);
  const max = Math.max(0, ...rows.map((g) => g.rate));
  const vectorMax = Math.max(0, ...rows.flatMap((g) => g.vectors.map((v) => v.rate)));

  const toggle = (key: string, open?: boolean) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (open ?? !next.has(key)) next.add(key);
      else next.delete(key);
      return next;
    });
  const sortBy = (k: TopSortKey) => {
    // a new sort is asked for: rank at once
    ranking.current = null;
    if (k === sortKey) setDir((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSortKey(k);
      setDir(k === 'device' || k === 'owner' ? 'asc' : 'desc');
    }
  };

  return (
    <div data-testid="top-vectors-panel">
      <div className="toolbar top-toolbar">
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented toggle of buttons, not a form section; role=group is its ARIA equivalent without fieldset's UA box */}
        <div className="seg" role="group" aria-label="group vectors by">
          <button
            type="button"
            className={by === 'device' ? 'on' : ''}
            aria-pressed={by === 'device'}
            onClick={() => {
              ranking.current = null;
              setBy('device');
            }}
            data-testid="top-by-device"
          >
            by device
          </button>
          <button
            type="button"
            className={by === 'owner' ? 'on' : ''}
            aria-pressed={by === 'owner'}
            onClick={() => {
              ranking.current = null;
              setBy('owner');
            }}
            data-testid="top-by-owner"
          >
            by VM / owner
          </button>
        </div>
        <button
          type="button"
          className={`btn small ${paused ? 'primary' : 'ghost'}`}
          aria-pressed={paused}
          onClick={() => setPaused((p) => !p)}
          data-testid="top-pause"
        >
          {paused ? 'Resume ranking' : 'Pause ranking'}
        </button>
        <span className="faint">{paused ? 'order frozen; rates stay live' : `ranks refresh every ${RANK_HOLD_MS / 1000} s`}</span>
      </div>
      <table className="data top-table" data-testid="top-vectors" aria-label="top interrupt vectors">
        <thead>
          <tr>
            <th aria-label="expand" />
            <th className="num">#</th>
            <SortHead k="device" label="Device" sortKey={sortKey} dir={dir} onSort={sortBy} />
            <SortHead k="owner" label="Owner" sortKey={sortKey} dir={dir} onSort={sortBy} />
            <SortHead k="vectors" label="Vectors" sortKey={sortKey} dir={dir} onSort={sortBy} num />
            <th aria-label="share" />
            <SortHead k="rate" label="Rate" sortKey={sortKey} dir={dir} onSort={sortBy} num />
            <SortHead k="count" label="Total" sortKey={sortKey} dir={dir} onSort={sortBy} num />
          </tr>
        </thead>
        <tbody onKeyDown={(e) => onGridKey(e, toggle)}>
          {shown.map((g, i) => (
            <GroupRows
              key={g.key}
              g={g}
              rank={i + 1}
              max={max}
              vectorMax={vectorMax}
              by={by}
              expanded={expanded.has(g.key)}
              onToggle={toggle}
              names={props.names}
              hot={props.hotKeys}
              cpus={props.cpus}
            />
          ))}
          {rows.length === 0 ? (
            <tr>
              <td colSpan={8} className="empty">
                No VFIO interrupt vectors are active.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {rows.length > SHOWN ? (
        <button
          type="button"
          className="btn ghost small"
          style={{ margin: 8 }}
          onClick={() => setShowAll((v) => !v)}
          data-testid="top-show-all"
        >
          {showAll ? `Show the top ${SHOWN}` : `Show all ${rows.length}`}
        </button>
      ) : null}
    </div>
  );
}

function GroupRows(props: {
  g: VectorGroup;
  rank: number;
  max: number;
  vectorMax: number;
  by: GroupBy;
  expanded: boolean;
  onToggle: (key: string) => void;
  names: Map<string, PciDeviceView>;
  hot: Set<string>;
  cpus: number;
}) {
  return (
    <>
      <GroupRow
        g={props.g}
        rank={props.rank}
        max={props.max}
        by={props.by}
        expanded={props.expanded}
        onToggle={props.onToggle}
        names={props.names}
      />
      {props.expanded
        ? props.g.vectors.map((r) => <VectorRow key={r.key} r={r} max={props.vectorMax} hot={props.hot.has(r.key)} cpus={props.cpus} />)
        : null}
    </>
  );
}

function SortHead(props: {
  k: TopSortKey;
  label: string;
  sortKey: TopSortKey;
  dir: SortDir;
  onSort: (k: TopSortKey) => void;
  num?: boolean | undefined;
}) {
  const on = props.sortKey === props.k;
  return (
    <th className={props.num ? 'num' : ''} aria-sort={on ? (props.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className={`sort-head ${on ? 'sorted' : ''}`}
        onClick={() => props.onSort(props.k)}
        data-testid={`top-sort-${props.k}`}
      >
        {props.label} {on ? (props.dir === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );
}
