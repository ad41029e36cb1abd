/**
 * DMA: the VMs' locked memory against their limits, then per vfioscope
 * container (one IOMMU context) the mapping table, the map form, unmap of
 * selected rows / a range / everything, and the gauges for pinned pages and
 * DMA entries.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MappingRow } from '@vfioscope/protocol';
import { useHostLive, useMappings, usePinned } from '../../live/hooks.ts';
import { RoleNote } from '../../components/ActionButton.tsx';
import { formatBytes, formatCount } from '../../format/units.ts';
import { MappingTable } from './MappingTable.tsx';
import { contextTitle, mapIoctl, unmapIoctl } from '../../format/iommu.ts';
import { MapForm } from './MapForm.tsx';
import { UnmapPanel } from './UnmapPanel.tsx';
import { DmaGauges } from './DmaGauges.tsx';
import { VmMemoryPanel } from './VmMemoryPanel.tsx';
import { sortRows, type SortDir, type SortKey } from './mapping-sort.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

export function DmaView({ container }: { container: number | null }) {
  const { links } = useHostClient();
  const host = useHostLive().state;
  const pinned = usePinned().state;
  const containers = host?.live.containers ?? [];
  useEffect(() => {
    if (container === null && containers.length) window.location.replace(links.dma(containers[0]!.id));
  }, [container, containers, links]);
  return (
    <div className="page fill" data-testid="dma-view">
      <div className="page-head">
        <h1>DMA</h1>
        <div className="container-tabs" data-testid="container-tabs">
          {containers.map((c) => (
            <a key={c.id} href={links.dma(c.id)} className={c.id === container ? 'on' : ''} data-testid={`container-tab-${c.id}`}>
              {contextTitle(c.kind, c.id).toLowerCase()} · groups {c.groups.join(', ')} · {formatCount(c.mappingCount)} maps
            </a>
          ))}
        </div>
        <span className="spacer" />
        <RoleNote />
      </div>
      <VmMemoryPanel stats={pinned?.latest.stats ?? []} />
      {containers.length === 0 && host ? (
        <div className="panel empty" data-testid="no-containers">
          vfioscope holds no container yet. <a href={links.view({ view: 'topology' })}>Open a group</a> on the Topology view to create one.
        </div>
      ) : null}
      {container !== null && host ? <ContainerDma container={container} /> : null}
    </div>
  );
}

function ContainerDma({ container }: { container: number }) {
  const { links } = useHostClient();
  const host = useHostLive().state!;
  const mappings = useMappings(container);
  const pinned = usePinned().state;
  const info = host.live.containers.find((c) => c.id === container);
  const [sortKey, setSortKey] = useState<SortKey>('iova');
  const [sortDir, setSortDir] = useState<SortDir>('asc');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const anchor = useRef<number | null>(null);
  const byIova = mappings.state?.byIova;
  const rows = useMemo(() => (byIova ? sortRows(byIova.values(), sortKey, sortDir) : []), [byIova, sortKey, sortDir]);
  // drop selections whose rows are gone
  useEffect(() => {
    if (!byIova) return;
    setSelected((s) => {
      const next = new Set([...s].filter((k) => byIova.has(k)));
      return next.size === s.size ? s : next;
    });
  }, [byIova]);
  const onSort = useCallback((k: SortKey) => {
    setSortKey((cur) => {
      if (cur === k) setSortDir((d) => (d === 'asc' ? 'desc' : 'asc'));
      else setSortDir('asc');
      return k;
    });
  }, []);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const onToggle = useCallback((iova: string, shift: boolean) => {
    const list = rowsRef.current;
    const idx = list.findIndex((r) => r.iova === iova);
    setSelected((s) => {
      const next = new Set(s);
      if (shift && anchor.current !== null) {
        const [a, b] = [Math.min(anchor.current, idx), Math.max(anchor.current, idx)];
        for (let i = a; i <= b; i++) next.add(list[i]!.iova);
      } else if (next.has(iova)) next.delete(iova);
      else next.add(iova);
      return next;
    });
    anchor.current = idx;
  }, []);
  const onToggleAll = useCallback(() => {
    setSelected((s) => (s.size === rowsRef.current.length ? new Set() : new Set(rowsRef.current.map((r) => r.iova))));
  }, []);
  const selectedRows = useMemo(() => rows.filter((r) => selected.has(r.iova)), [rows, selected]);

  if (!info)
    return (
      <div className="panel empty">
        Container {container} is not held by vfioscope. <a href={links.view({ view: 'dma', container: null })}>Show containers</a>
      </div>
    );
  const ranges = info.iommu?.iovaRanges ?? [];
  return (
    <div className="dma-container" data-testid={`container-${container}`}>
      <div className="dma-gauges">
        <DmaGauges container={container} pinned={pinned} now={host.live.t} />
      </div>
      <div className="dma-layout">
        <section className="panel dma-main">
          <div className="panel-head">
            <h3>Mappings</h3>
            <span className="muted" data-testid="mapping-count">
              {formatCount(mappings.state?.total ?? 0)} mappings · {formatBytes(info.pinnedBytes)} pinned
            </span>
            <span className="spacer" />
            {selected.size ? <span className="badge info">{selected.size} selected</span> : null}
            <span className="faint">shift-click selects a range</span>
          </div>
          {mappings.state && mappings.state.total > mappings.state.byIova.size ? (
            <div className="faint" style={{ padding: '6px 14px' }}>
              showing {formatCount(mappings.state.byIova.size)} of {formatCount(mappings.state.total)}
            </div>
          ) : null}
          <MappingTable
            rows={rows}
            selected={selected}
            onToggle={onToggle}
            onToggleAll={onToggleAll}
            sortKey={sortKey}
            sortDir={sortDir}
            onSort={onSort}
          />
        </section>
        <div className="dma-side">
          <section className="panel">
            <div className="panel-head">
              <h3>Map</h3>
              <span className="faint">{mapIoctl(info.kind)}</span>
            </div>
            <div className="panel-body">
              <MapForm container={container} kind={info.kind} pageSize={host.info.pageSize} ranges={ranges} rows={byIova ?? EMPTY_ROWS} />
            </div>
          </section>
          <section className="panel">
            <div className="panel-head">
              <h3>Unmap</h3>
              <span className="faint">{unmapIoctl(info.kind)}</span>
            </div>
            <div className="panel-body">
              <UnmapPanel container={container} selected={selectedRows} onDone={() => setSelected(new Set())} />
            </div>
          </section>
          {ranges.length ? (
            <section className="panel">
              <div className="panel-head">
                <h3>Valid IOVA ranges</h3>
              </div>
              <div className="panel-body mono" style={{ fontSize: 12 }}>
                {ranges.map((r) => (
                  <div key={r.start}>
                    {r.start} – {r.end}
                  </div>
                ))}
              </div>
            </section>
          ) : null}
        </div>
      </div>
    </div>
  );
}

const EMPTY_ROWS = new Map<string, MappingRow>();
