/**
 * Topology: every IOMMU group as a card, grouped by container, searchable and
 * filterable. The card grid is virtualised by rows (cards per row follow the
 * width), so 200+ groups stay smooth and readable.
 */
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useHostLive, useTopology } from '../../live/hooks.ts';
import { useElementWidth } from '../../components/useElementWidth.ts';
import { RoleNote } from '../../components/ActionButton.tsx';
import { type FaultRates, GroupCard } from './GroupCard.tsx';
import { contextTitle, kindLabel } from '../../format/iommu.ts';
import {
  buildCards,
  filterCards,
  packClusters,
  sections,
  summary,
  type Cluster,
  type GroupCardModel,
  type Section,
  type StateFilter,
} from './topology-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

const CARD_MIN_WIDTH = 420;
const GAP = 12;

type Row =
  | { kind: 'section'; section: Section }
  | { kind: 'cards'; cards: GroupCardModel[]; key: string }
  | { kind: 'clusters'; clusters: Cluster[]; key: string };

const FILTERS: [StateFilter, string][] = [
  ['all', 'All'],
  ['viable', 'Viable'],
  ['blocked', 'Not viable'],
  ['vfioscope', 'vfioscope'],
  ['other-owner', 'Other owners'],
  ['free', 'Free'],
];

/** Groups attached to one vfioscope container, drawn as one box. */
function ContainerCluster({
  cluster,
  columns,
  containers,
  faults,
}: {
  cluster: Cluster;
  columns: number;
  containers: number[];
  faults: FaultRates;
}) {
  const { links } = useHostClient();
  const span = Math.min(columns, cluster.cards.length);
  const kind = cluster.cards[0]?.group.held?.kind ?? 'type1';
  return (
    <div className="cluster" style={{ gridColumn: `span ${span}` }} data-testid={`cluster-${cluster.container}`}>
      <div className="cluster-head">
        <span className="cluster-title">{contextTitle(kind, cluster.container)}</span>
        <span className="faint" data-testid={`cluster-kind-${cluster.container}`} data-kind={kind}>
          {cluster.cards.length} group{cluster.cards.length === 1 ? '' : 's'} · {kindLabel(kind)}
        </span>
        <a href={links.dma(cluster.container)} className="cluster-link">
          DMA mappings →
        </a>
      </div>
      <div className="cluster-cards" style={{ gridTemplateColumns: `repeat(${span}, minmax(0, 1fr))` }}>
        {cluster.cards.map((c) => (
          <GroupCard key={c.group.id} card={c} containers={containers} faults={faults} inCluster />
        ))}
      </div>
    </div>
  );
}

export function TopologyView() {
  const topo = useTopology();
  const host = useHostLive().state;
  const [query, setQuery] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const deferredQuery = useDeferredValue(query);
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(scrollRef);
  const columns = Math.max(1, Math.floor((width + GAP) / (CARD_MIN_WIDTH + GAP)));

  const cards = useMemo(() => (topo.state ? buildCards(topo.state) : []), [topo.state]);
  const shown = useMemo(() => filterCards(cards, deferredQuery, state), [cards, deferredQuery, state]);
  const stats = useMemo(() => summary(cards), [cards]);
  const rows = useMemo(() => {
    const out: Row[] = [];
    for (const s of sections(shown)) {
      out.push({ kind: 'section', section: s });
      if (s.clusters) {
        for (const clusters of packClusters(s.clusters, columns)) {
          out.push({ kind: 'clusters', clusters, key: `c-${clusters.map((c) => c.container).join('-')}` });
        }
        continue;
      }
      for (let i = 0; i < s.cards.length; i += columns)
        out.push({ kind: 'cards', cards: s.cards.slice(i, i + columns), key: `${s.key}-${i}` });
    }
    return out;
  }, [shown, columns]);
  // the host topic changes every tick; the card list must only change when the container ids do
  const containerKey = host?.live.containers.map((c) => c.id).join(',') ?? '';
  const containers = useMemo(() => (containerKey ? containerKey.split(',').map(Number) : []), [containerKey]);
  // likewise the devices faulting now: a new map only when one's faults per minute change
  const faultKey = (host?.live.iommuFaults ?? [])
    .filter((r) => r.perMinute > 0)
    .map((r) => `${r.bdf}=${r.perMinute}`)
    .join(',');
  const faults: FaultRates = useMemo(
    () => new Map(faultKey ? faultKey.split(',').map((p) => [p.split('=')[0]!, Number(p.split('=')[1])] as const) : []),
    [faultKey],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]!.kind === 'section' ? 44 : rows[i]!.kind === 'clusters' ? 200 : 150),
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.kind === 'section' ? `s-${r.section.key}` : r.key;
    },
    overscan: 4,
  });

  return (
    <div className="page topology-page" data-testid="topology-view">
      <div className="page-head">
        <h1>Topology</h1>
        <span className="sub" data-testid="topology-summary">
          {stats.groups} IOMMU groups · {stats.devices} devices · <span className="ok-text">{stats.viable} viable</span> ·{' '}
          <span className="bad-text">{stats.blocked} not viable</span> · {stats.owned} held by vfioscope · {stats.others} by other processes
        </span>
        <span className="spacer" />
        <RoleNote />
      </div>
      <div className="toolbar">
        <input
          className="search"
          placeholder="Search BDF, vendor, device, driver, owner…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="topology-search"
          aria-label="search groups"
        />
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented toggle of buttons, not a form section; role=group is its ARIA equivalent without fieldset's UA box */}
        <div className="seg" role="group" aria-label="filter groups">
          {FILTERS.map(([f, label]) => (
            <button type="button" key={f} className={state === f ? 'on' : ''} onClick={() => setState(f)} data-testid={`filter-${f}`}>
              {label}
            </button>
          ))}
        </div>
        <span className="faint" data-testid="topology-count">
          {shown.length === cards.length ? `${cards.length} groups` : `${shown.length} of ${cards.length} groups`}
        </span>
      </div>
      <div className="topology-scroll" ref={scrollRef} data-testid="topology-grid">
        {!topo.state ? <div className="empty">loading topology…</div> : null}
        {topo.state && shown.length === 0 ? <div className="empty">No group matches “{query}”.</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <div
                key={v.key}
                data-index={v.index}
                ref={virtualizer.measureElement}
                className="vrow"
                style={{ transform: `translateY(${v.start}px)` }}
              >
                {row.kind === 'section' ? (
                  <div className={`section-head ${row.section.clusters ? 'held' : ''}`} data-testid={`section-${row.section.key}`}>
                    <h2>{row.section.title}</h2>
                    <span className="muted">{row.section.subtitle}</span>
                    <span className="faint">
                      {row.section.cards.length} group{row.section.cards.length === 1 ? '' : 's'}
                    </span>
                  </div>
                ) : row.kind === 'clusters' ? (
                  <div className="card-row" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
                    {row.clusters.map((c) => (
                      <ContainerCluster key={c.container} cluster={c} columns={columns} containers={containers} faults={faults} />
                    ))}
                  </div>
                ) : (
                  <div className="card-row" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
                    {row.cards.map((c) => (
                      <GroupCard key={c.group.id} card={c} containers={containers} faults={faults} />
                    ))}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
