/**
 * The container's DMA mapping table, virtualised (65,535 rows scroll as
 * smoothly as 10), sortable by any column, with row selection for unmap.
 */
import { memo, useCallback, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MappingRow } from '@vfioscope/protocol';
import { formatBytes, formatCount } from '../../format/units.ts';
import type { SortDir, SortKey } from './mapping-sort.ts';

const ROW_HEIGHT = 30;

const Row = memo(function Row({
  row,
  selected,
  top,
  onToggle,
}: {
  row: MappingRow;
  selected: boolean;
  top: number;
  onToggle: (iova: string, shift: boolean) => void;
}) {
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: clicking a row is a mouse shortcut for choosing what to unmap; the keyboard path is UnmapPanel's IOVA range and select-all (a roving-tabindex grid is a separate change)
    // biome-ignore lint/a11y/useKeyWithClickEvents: as above, the keyboard path to the same unmap is UnmapPanel's IOVA range and select-all
    // biome-ignore lint/a11y/useSemanticElements: a virtualised grid: rows are CSS-grid divs positioned by translateY, which table layout does not allow; the ARIA grid roles carry the table semantics
    <div
      className={`vtable-row ${selected ? 'selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid={`mapping-${row.iova}`}
      data-iova={row.iova}
      onClick={(e) => onToggle(row.iova, e.shiftKey)}
      role="row"
      aria-selected={selected}
    >
      <span>
        <input type="checkbox" checked={selected} readOnly aria-label={`select ${row.iova}`} tabIndex={-1} />
      </span>
      <span>{row.iova}</span>
      <span title={row.size}>{formatBytes(BigInt(row.size))}</span>
      <span>{row.vaddr}</span>
      <span>{(row.read ? 'R' : '-') + (row.write ? 'W' : '-')}</span>
      <span className="num">{formatCount(row.pages)}</span>
    </div>
  );
});

export const MappingTable = memo(function MappingTable(props: {
  rows: MappingRow[];
  selected: Set<string>;
  onToggle: (iova: string, shift: boolean) => void;
  onToggleAll: () => void;
  sortKey: SortKey;
  sortDir: SortDir;
  onSort: (k: SortKey) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = props.rows;
  // A new getItemKey makes the virtualiser rebuild its measurement of every row (65,535 objects)
  // on the next render, and it re-renders on every scroll frame: so it changes only with the rows.
  const getItemKey = useCallback((i: number) => rows[i]!.iova, [rows]);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey,
    overscan: 12,
  });
  const head = (k: SortKey, label: string, num = false) => (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the sort state sits on the sort button, where e2e/tests/scale.spec.ts reads it; a columnheader wrapper would change the header row's grid cells (a separate a11y change)
    <button
      type="button"
      className={`${props.sortKey === k ? 'sorted' : ''} ${num ? 'num' : ''}`}
      onClick={() => props.onSort(k)}
      data-testid={`sort-${k}`}
      aria-sort={props.sortKey === k ? (props.sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      {label} {props.sortKey === k ? (props.sortDir === 'asc' ? '▲' : '▼') : ''}
    </button>
  );
  const allSelected = props.rows.length > 0 && props.selected.size === props.rows.length;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a virtualised grid: rows are CSS-grid divs positioned by translateY, which table layout does not allow; the ARIA grid roles carry the table semantics
    <div className="vtable" data-testid="mapping-table" data-rows={props.rows.length} role="grid">
      {/* biome-ignore lint/a11y/useFocusableInteractive: the header row's cells are its focusable controls (select-all, the sort buttons); the row itself takes no focus */}
      {/* biome-ignore lint/a11y/useSemanticElements: a virtualised grid: rows are CSS-grid divs positioned by translateY, which table layout does not allow; the ARIA grid roles carry the table semantics */}
      <div className="vtable-head" role="row">
        <span>
          <input type="checkbox" checked={allSelected} onChange={props.onToggleAll} aria-label="select all" data-testid="select-all" />
        </span>
        {head('iova', 'IOVA')}
        {head('size', 'Size')}
        {head('vaddr', 'vaddr')}
        <span>Flags</span>
        {head('pages', 'Pages', true)}
      </div>
      <div className="vtable-body" ref={scrollRef} data-testid="mapping-scroll">
        {props.rows.length === 0 ? <div className="empty">No DMA mappings in this container. Map one with the form.</div> : null}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => {
            const row = props.rows[item.index]!;
            return <Row key={item.key} row={row} top={item.start} selected={props.selected.has(row.iova)} onToggle={props.onToggle} />;
          })}
        </div>
      </div>
    </div>
  );
});
