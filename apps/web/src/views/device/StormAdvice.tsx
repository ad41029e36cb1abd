/**
 * The device page's "what you can do" box for each active storm on the
 * device, worded by storm-advice.ts for the case at hand; on a vector
 * vfioscope drives it also offers the one action that stops it here.
 */
import { useState } from 'react';
import type { IrqIndexView, StormAlert } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { toast } from '../../components/toasts.ts';
import { toApiError } from '../../components/useAction.ts';
import { formatRate } from '../../format/units.ts';
import { irqAction } from './device-actions.ts';
import { stormAdvice } from './storm-advice.ts';
import { stormReason, vectorName } from '../interrupts/storm-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

function StormBox({ alert, irqs }: { alert: StormAlert; irqs: IrqIndexView[] }) {
  const { api } = useHostClient();
  const advice = stormAdvice(alert);
  const [pending, setPending] = useState(false);
  const index = irqs.find((i) => i.name === alert.index);
  const act = async (action: 'mask' | 'disable') => {
    if (!index) return;
    setPending(true);
    try {
      const r = await irqAction(api, alert.bdf, index.index, action, 0, index.count);
      toast.ok(`${r.action} ${r.name} on ${alert.bdf}`, `vectors ${r.start}..${r.start + r.count - 1}`);
    } catch (e) {
      toast.error(toApiError(e), `${action} ${alert.index} on ${alert.bdf}`);
    } finally {
      setPending(false);
    }
  };
  return (
    <section className="panel storm-advice" data-testid="storm-advice" data-case={advice.case} data-key={alert.key}>
      <div className="panel-head">
        <span className="badge bad">storm</span>
        <h3>What you can do</h3>
        <span className="muted">
          {advice.title} · peak {formatRate(alert.peakRate)}, {stormReason(alert)}
        </span>
      </div>
      <div className="panel-body">
        <ol className="advice-steps">
          {advice.steps.map((step, i) => (
            // the steps are a fixed list per case: their position is their identity
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i}>
              {step.map((part, j) =>
                typeof part === 'string' ? (
                  part
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a step's parts never reorder
                  <code key={j}>{part.code}</code>
                ),
              )}
            </li>
          ))}
        </ol>
        {advice.action && index ? (
          <ActionButton
            variant="danger"
            small
            testid={`storm-${advice.action}-${alert.index}`}
            pending={pending}
            onClick={() => void act(advice.action!)}
          >
            {advice.action === 'mask' ? `Mask ${vectorName(alert)}` : `Disable ${alert.index}`}
          </ActionButton>
        ) : null}
      </div>
    </section>
  );
}

export function StormAdvicePanel({ storms, irqs }: { storms: StormAlert[]; irqs: IrqIndexView[] }) {
  if (storms.length === 0) return null;
  return (
    <div className="stack">
      {storms.map((a) => (
        <StormBox key={a.id} alert={a} irqs={irqs} />
      ))}
    </div>
  );
}
