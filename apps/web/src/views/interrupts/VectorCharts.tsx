/**
 * The interrupts view's chart grid: a live chart for each of the busiest N
 * vectors on the host (storming ones first), N chosen by the operator — off,
 * 16, 32 or 64, remembered per browser — to watch many queues of a NIC or a
 * GPU at once. Ranked stably like the table (the order and the members
 * refresh every RANK_HOLD_MS, grid-members.ts); the numbers follow every
 * tick, the charts redraw at the redraw clock's pace, in the frame of a tick
 * (useTickEpoch). Each chart's minute of history comes from the server when
 * the vector enters the grid (vector-history.ts).
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryPoint, VectorRate } from '@vfioscope/protocol';
import { formatRate } from '../../format/units.ts';
import { HISTORY_WINDOW_MS } from '../../live/reducers.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { vectorName } from './storm-model.ts';
import type { Ranking } from './top-vectors-model.ts';
import { gridMembers } from './grid-members.ts';
import { RANK_HOLD_MS } from './TopVectors.tsx';
import { VectorHistory } from './vector-history.ts';
import { SparklineView } from '../../components/Sparkline.tsx';
import { useTickEpoch } from '../../components/usePaced.ts';

export const GRID_SIZES = [0, 16, 32, 64] as const;
const KEY = 'vfioscope.interrupts.charts';
const DEFAULT_SIZE = 16;

function storedSize(): number {
  try {
    const n = Number(localStorage.getItem(KEY));
    return (GRID_SIZES as readonly number[]).includes(n) && localStorage.getItem(KEY) !== null ? n : DEFAULT_SIZE;
  } catch {
    return DEFAULT_SIZE; // storage refused: the default, not remembered
  }
}

/** the N busiest vectors, storming ones first, in a fresh order */
export function busiest(rates: Iterable<VectorRate>, hot: Set<string>, n: number): string[] {
  return [...rates]
    .sort((a, b) => Number(hot.has(b.key)) - Number(hot.has(a.key)) || b.rate - a.rate || a.key.localeCompare(b.key))
    .slice(0, n)
    .map((r) => r.key);
}

/**
 * A cell's rate as text, changed with its chart (each epoch) rather than with every tick: 64 captions that
 * change ten times a second are each a layout, prepaint and paint of their box — on the storm host at top 64
 * most of the page's rendering work. The table above keeps every vector's rate at 10 Hz; `data-rate` keeps it here.
 */
const PacedRate = memo(
  function PacedRate(props: { rate: number; epoch: number }) {
    return <>{formatRate(props.rate)}</>;
  },
  (before, after) => before.epoch === after.epoch,
);

const Cell = memo(function Cell(props: { r: VectorRate; t: number; points: HistoryPoint[]; threshold: number | null; href: string }) {
  const { r } = props;
  // the chart redraws in the frame of a tick (the cell renders with each one anyway), every CHART_REDRAW_MS
  const epoch = useTickEpoch(props.t);
  return (
    <a className={`vchart ${props.threshold !== null ? 'storming' : ''}`} href={props.href} data-testid={`vchart-${r.key}`}>
      <span className="vchart-head">
        <span className="mono faint">{r.bdf}</span> <span className="mono">{vectorName(r)}</span>
        <span className={`vchart-rate mono ${props.threshold !== null ? 'bad-text' : ''}`} data-rate={r.rate}>
          <PacedRate rate={r.rate} epoch={epoch} />
        </span>
      </span>
      <SparklineView
        epoch={epoch}
        points={props.points}
        windowMs={HISTORY_WINDOW_MS}
        height={44}
        threshold={props.threshold}
        testid={`vchart-${r.key}-chart`}
      />
    </a>
  );
});

export function VectorCharts(props: {
  rates: Map<string, VectorRate> | undefined;
  t: number;
  hotKeys: Set<string>;
  /** active storms' thresholds, by vector key */
  thresholds: Map<string, number>;
}) {
  const { api, links } = useHostClient();
  const [size, setSize] = useState(storedSize);
  const history = useRef(new VectorHistory(HISTORY_WINDOW_MS)).current;
  const ranking = useRef<Ranking | null>(null);
  const order = useMemo(() => {
    const rates = props.rates;
    const fresh = busiest(rates?.values() ?? [], props.hotKeys, size);
    const next = gridMembers(ranking.current, fresh, size, (k) => rates?.has(k) ?? false, props.hotKeys, props.t, RANK_HOLD_MS);
    ranking.current = next;
    return next.order;
  }, [props.rates, props.hotKeys, size, props.t]);
  // one point per tick for the charted vectors (idempotent per tick, so a repeated render adds nothing)
  if (props.rates) history.record(props.t, props.rates, order);
  const loading = useRef(new Set<string>());
  useEffect(() => {
    for (const key of order) {
      if (loading.current.has(key)) continue;
      loading.current.add(key);
      api.call('irqHistory', { query: { key, resolution: 'tick' } }).then(
        (h) => history.seed(key, h.points),
        () => {}, // no history: the chart starts with the live points
      );
    }
    for (const key of loading.current) if (!order.includes(key)) loading.current.delete(key);
  }, [order, api, history]);
  const choose = (n: number) => {
    ranking.current = null;
    setSize(n);
    try {
      localStorage.setItem(KEY, String(n));
    } catch {
      // not remembered, still shown
    }
  };
  return (
    <section className="panel" data-testid="vector-charts" data-size={size}>
      <div className="panel-head">
        <h3>Vector charts</h3>
        <span className="faint">the busiest vectors, storms first, the last minute each · open one for its device</span>
        <span className="spacer" />
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented toggle of buttons, not a form section; role=group is its ARIA equivalent without fieldset's UA box */}
        <div className="seg" role="group" aria-label="how many vectors to chart">
          {GRID_SIZES.map((n) => (
            <button
              key={n}
              type="button"
              className={size === n ? 'on' : ''}
              aria-pressed={size === n}
              onClick={() => choose(n)}
              data-testid={`vector-charts-${n}`}
            >
              {n === 0 ? 'off' : `top ${n}`}
            </button>
          ))}
        </div>
      </div>
      {size > 0 ? (
        <div className="panel-body vchart-grid">
          {order.map((key) => {
            const r = props.rates?.get(key);
            return r ? (
              <Cell
                key={key}
                r={r}
                t={props.t}
                points={history.get(key)}
                threshold={props.thresholds.get(key) ?? null}
                href={links.device(r.bdf)}
              />
            ) : null;
          })}
        </div>
      ) : null}
    </section>
  );
}
