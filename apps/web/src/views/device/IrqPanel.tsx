/**
 * IRQ indexes (VFIO_DEVICE_GET_IRQ_INFO) with what vfioscope has wired, and
 * the VFIO_DEVICE_SET_IRQS actions: trigger (wire eventfds), mask and unmask
 * (INTx only: it auto-masks when it fires), disable. Each vector gets a live
 * rate chart from the device topic's history (a canvas Sparkline at the
 * redraw clock's pace: a card chart is read at a glance, and twelve Recharts
 * charts cost ~40 % of the main thread, bench/baselines/view-script-time.txt);
 * storming vectors come first, marked red, with their storm threshold drawn. On a device
 * another process holds the actions cannot apply and are not drawn.
 */
import { memo, useState } from 'react';
import type { HistoryPoint, IrqAction, IrqIndexView, StormAlert, VectorRate } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { Sparkline } from '../../components/Sparkline.tsx';
import { usePaced } from '../../components/usePaced.ts';
import { formatCount, formatRate } from '../../format/units.ts';
import { processName } from '../../format/owner.ts';
import { HISTORY_WINDOW_MS } from '../../live/reducers.ts';
import { irqAction } from './device-actions.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

const CHARTS_SHOWN = 12;

const VectorCard = memo(function VectorCard(props: {
  name: string;
  rate: VectorRate;
  points: HistoryPoint[];
  masked: boolean | null;
  storm: StormAlert | undefined;
}) {
  const { rate: r, storm } = props;
  const id = `${props.name}-${r.vector}`;
  const points = usePaced(props.points);
  return (
    <div
      className={`vector-card ${props.masked ? 'masked' : ''} ${storm ? 'storming' : ''}`}
      data-testid={`vector-${id}`}
      data-storm={storm ? 'true' : undefined}
    >
      <div className="vhead">
        <span className="mono">
          {props.name}[{r.vector}]
        </span>
        {storm ? (
          <span className="badge bad" data-testid={`vector-${id}-storm`}>
            storm
          </span>
        ) : null}
        {props.masked ? (
          <span className="badge warn" data-testid={`vector-${id}-masked`}>
            masked
          </span>
        ) : null}
        <span className="badge outline">{r.source === 'owned' ? 'eventfd' : r.owner ? processName(r.owner) : 'observed'}</span>
        <span className="rate" data-testid={`vector-${id}-rate`} data-rate={r.rate}>
          {formatRate(r.rate)}
        </span>
      </div>
      <div className="count" data-testid={`vector-${id}-count`} data-count={r.count}>
        total {formatCount(r.count)}
      </div>
      <Sparkline
        points={points}
        windowMs={HISTORY_WINDOW_MS}
        height={80}
        testid={`vector-${id}-chart`}
        threshold={storm?.threshold ?? null}
      />
    </div>
  );
});

function IrqIndexRow(props: {
  bdf: string;
  irq: IrqIndexView;
  rates: VectorRate[];
  history: Map<string, HistoryPoint[]>;
  disabledReason: string | null;
  storms: Map<string, StormAlert>;
  controls: boolean;
}) {
  const { api } = useHostClient();
  const { irq, storms } = props;
  const [showAll, setShowAll] = useState(false);
  const act = useAction(
    (action: IrqAction) => irqAction(api, props.bdf, irq.index, action, 0, irq.count),
    (r) => `${r.action} ${r.name} ${r.start}..${r.start + r.count - 1}`,
  );
  const maskable = irq.flagNames.includes('MASKABLE');
  const anyMasked = irq.masked?.some(Boolean) ?? false;
  // storming vectors first, then in vector order
  const byStormThenVector = (a: VectorRate, b: VectorRate) => Number(storms.has(b.key)) - Number(storms.has(a.key)) || a.vector - b.vector;
  const vectors = [...props.rates].sort(byStormThenVector);
  const charted = showAll
    ? vectors
    : [...vectors]
        .sort((a, b) => Number(storms.has(b.key)) - Number(storms.has(a.key)) || b.rate - a.rate)
        .slice(0, CHARTS_SHOWN)
        .sort(byStormThenVector);
  const absent = irq.count === 0;
  const pending = act.state.status === 'pending';
  const reason = absent ? `${irq.name} not supported by this device (count 0)` : props.disabledReason;
  return (
    <div className="irq-index" data-testid={`irq-${irq.name}`} data-enabled={irq.enabled} data-masked={anyMasked}>
      <div className="irq-index-head">
        <span className="name">{irq.name}</span>
        <span className="muted">
          {irq.count} vector{irq.count === 1 ? '' : 's'}
        </span>
        <span className="flags">
          {irq.flagNames.map((f) => (
            <span key={f} className="badge outline">
              {f}
            </span>
          ))}
        </span>
        {irq.enabled ? (
          <span className="badge ok" data-testid={`irq-${irq.name}-enabled`}>
            enabled · {irq.vectorsWired} wired
          </span>
        ) : absent ? null : (
          <span className="badge">disabled</span>
        )}
        {anyMasked ? (
          <span className="badge warn" data-testid={`irq-${irq.name}-masked`}>
            masked
          </span>
        ) : null}
        <span className="spacer" />
        {absent || !props.controls ? null : (
          <span className="btn-group">
            <ActionButton
              small
              variant={irq.enabled ? '' : 'primary'}
              testid={`irq-${irq.name}-trigger`}
              disabledReason={reason}
              pending={pending}
              onClick={() => act.run('trigger')}
            >
              Enable (trigger)
            </ActionButton>
            {maskable ? (
              <>
                <ActionButton
                  small
                  testid={`irq-${irq.name}-mask`}
                  disabledReason={reason}
                  pending={pending}
                  onClick={() => act.run('mask')}
                >
                  Mask
                </ActionButton>
                <ActionButton
                  small
                  testid={`irq-${irq.name}-unmask`}
                  disabledReason={reason}
                  pending={pending}
                  onClick={() => act.run('unmask')}
                >
                  Unmask
                </ActionButton>
              </>
            ) : null}
            <ActionButton
              small
              variant="ghost"
              testid={`irq-${irq.name}-disable`}
              disabledReason={reason}
              pending={pending}
              onClick={() => act.run('disable')}
            >
              Disable
            </ActionButton>
          </span>
        )}
      </div>
      {act.state.status !== 'idle' ? (
        <div style={{ marginBottom: 8 }}>
          <KernelAnswer state={act.state} testid={`irq-${irq.name}-answer`} />
        </div>
      ) : null}
      {vectors.length ? (
        <>
          <div className="vectors">
            {charted.map((r) => (
              <VectorCard
                key={r.key}
                name={irq.name}
                rate={r}
                points={props.history.get(r.key) ?? []}
                masked={irq.masked ? (irq.masked[r.vector] ?? false) : null}
                storm={storms.get(r.key)}
              />
            ))}
          </div>
          {vectors.length > CHARTS_SHOWN ? (
            <button type="button" className="btn ghost small" style={{ marginTop: 8 }} onClick={() => setShowAll((v) => !v)}>
              {showAll ? `Show the ${CHARTS_SHOWN} busiest` : `Show all ${vectors.length} vectors`}
            </button>
          ) : null}
        </>
      ) : !absent ? (
        <div className="faint">No interrupts counted yet{irq.enabled ? '' : ' — enable the index to wire eventfds'}.</div>
      ) : null}
    </div>
  );
}

export function IrqPanel(props: {
  bdf: string;
  irqs: IrqIndexView[];
  rates: VectorRate[];
  history: Map<string, HistoryPoint[]>;
  disabledReason: string | null;
  /** active storms on this device, by vector key */
  storms: Map<string, StormAlert>;
  /** false on a device another process holds: VFIO_DEVICE_SET_IRQS is theirs, so no buttons */
  controls?: boolean;
}) {
  const stormy = (irq: IrqIndexView) => props.rates.some((r) => r.index === irq.name && props.storms.has(r.key));
  // an index with a storming vector first
  const irqs = [...props.irqs].sort((a, b) => Number(stormy(b)) - Number(stormy(a)) || a.index - b.index);
  return (
    <section className="panel" data-testid="irqs">
      <div className="panel-head">
        <h3>Interrupts</h3>
        <span className="faint">VFIO_DEVICE_SET_IRQS · eventfd per vector · live rates</span>
      </div>
      <div className="panel-body flush">
        {irqs.map((irq) => (
          <IrqIndexRow
            key={irq.index}
            bdf={props.bdf}
            irq={irq}
            rates={props.rates.filter((r) => r.index === irq.name)}
            history={props.history}
            disabledReason={props.disabledReason}
            storms={props.storms}
            controls={props.controls ?? true}
          />
        ))}
      </div>
    </section>
  );
}
