/**
 * The event and audit log, live: every action (who, what, the kernel's
 * answer), error, storm alert and kernel message (kind `kernel`: the kernel's
 * own text, attached to its device), newest first, filterable by kind and text.
 */
import { memo, useDeferredValue, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LogEvent, LogEventKind } from '@vfioscope/protocol';
import { useEvents } from '../../live/hooks.ts';
import { formatTime } from '../../format/units.ts';

const KINDS: LogEventKind[] = ['action', 'error', 'alert', 'alert-cleared', 'kernel', 'info'];
const KIND_BADGE: Record<string, string> = { action: 'info', error: 'bad', alert: 'bad', 'alert-cleared': 'ok', kernel: 'warn', info: '' };
// shown elsewhere in the row, or too bulky for one line (the full entry is in the tooltip)
const CORE = new Set(['seq', 'ts', 'kind', 'message', 'errno', 'data', 'op']);

function details(e: LogEvent): string {
  const parts = Object.entries(e)
    .filter(([k, v]) => !CORE.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  // an action's request parameters, flattened (iova=… size=… for a map)
  for (const [k, v] of Object.entries(paramsOf(e)))
    if (!(k in e)) parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.join('  ');
}

/** The request parameters an action, error or alert records in its data (`{ params: {…} }`), else none. */
function paramsOf(e: LogEvent): object {
  if (e.kind === 'kernel' || typeof e.data !== 'object' || e.data === null || !('params' in e.data)) return {};
  const params = e.data.params;
  return typeof params === 'object' && params !== null ? params : {};
}

const EventRow = memo(function EventRow({ e, top }: { e: LogEvent; top: number }) {
  const errno = e.kind === 'kernel' ? null : (e.errno ?? null);
  return (
    <div
      className="event-row"
      style={{ position: 'absolute', left: 0, right: 0, transform: `translateY(${top}px)` }}
      data-testid={`event-${e.seq}`}
      data-kind={e.kind}
    >
      <span className="seq">#{e.seq}</span>
      <span className="ts">{formatTime(e.ts)}</span>
      <span>
        <span className={`badge ${KIND_BADGE[e.kind] ?? ''}`}>{e.kind}</span>
      </span>
      <span className="msg" title={JSON.stringify(e, null, 1)}>
        {errno ? <strong className="bad-text mono">{errno} </strong> : null}
        {e.message} <span className="detail">{details(e)}</span>
      </span>
    </div>
  );
});

export function EventsView() {
  const events = useEvents().state;
  const [kinds, setKinds] = useState<Set<string>>(new Set(KINDS));
  const [text, setText] = useState('');
  const q = useDeferredValue(text.toLowerCase());
  const shown = useMemo(() => {
    const list = (events ?? []).filter((e) => kinds.has(e.kind) && (q === '' || JSON.stringify(e).toLowerCase().includes(q)));
    return list.reverse();
  }, [events, kinds, q]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 29,
    getItemKey: (i) => shown[i]!.seq,
    overscan: 10,
  });
  const toggle = (k: string) =>
    setKinds((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  return (
    <div className="page fill" data-testid="events-view">
      <div className="page-head">
        <h1>Events</h1>
        <span className="sub">actions, errors, alerts and kernel messages — the audit trail, live</span>
      </div>
      <div className="toolbar">
        <input
          className="search"
          placeholder="Filter by text, device, errno, actor…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="events-search"
          aria-label="filter events"
        />
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented toggle of buttons, not a form section; role=group is its ARIA equivalent without fieldset's UA box */}
        <div className="seg" role="group" aria-label="event kinds">
          {KINDS.map((k) => (
            <button type="button" key={k} className={kinds.has(k) ? 'on' : ''} onClick={() => toggle(k)} data-testid={`kind-${k}`}>
              {k}
            </button>
          ))}
        </div>
        <span className="faint" data-testid="events-count" data-shown={shown.length} data-total={events?.length ?? 0}>
          {shown.length} of {events?.length ?? 0}
        </span>
      </div>
      <section className="panel" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', marginBottom: 18 }}>
        <div className="event-row" style={{ borderBottom: '1px solid var(--line)' }}>
          <span className="faint">SEQ</span>
          <span className="faint">TIME</span>
          <span className="faint">KIND</span>
          <span className="faint">MESSAGE</span>
        </div>
        <div className="event-list" ref={scrollRef} style={{ flex: 1, overflow: 'auto', position: 'relative' }} data-testid="event-list">
          {shown.length === 0 ? <div className="empty">{events ? 'No events match.' : 'loading events…'}</div> : null}
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => (
              <EventRow key={item.key} e={shown[item.index]!} top={item.start} />
            ))}
          </div>
        </div>
      </section>
    </div>
  );
}
