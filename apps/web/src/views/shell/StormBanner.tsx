/**
 * The alert banner: the worst active alert (storm-model.ts ranks them), said
 * in full. A storm: which vector of which device, whose VM, how fast it fires
 * now and at its peak, since when and for how long, and the threshold that
 * made it a storm. A kernel alert (an IOMMU fault storm, a disabled IRQ, a
 * refused pin): its device or IRQ, the owner, how many messages, and what to
 * do (KernelAlertLines). Links go to the device (where the "what you can do"
 * box is) and to all interrupts. After the last alert clears it stays a while
 * in a calmer style, so a flapping vector does not make the page jump. It also
 * keeps the browser tab's title counting the active alerts, so one shows in a
 * background tab.
 */
import { useEffect, useState } from 'react';
import type { StormAlert } from '@vfioscope/protocol';
import { models, useAlerts, useTopic } from '../../live/hooks.ts';
import { ownerLabel } from '../../format/owner.ts';
import { deviceLabel } from '../../format/pci-names.ts';
import { formatAgo, formatClock, formatDuration, formatRate } from '../../format/units.ts';
import { activeAlerts, alertTitle, stormReason, vectorName } from '../interrupts/storm-model.ts';
import { useDevicesByBdf } from '../topology/use-devices.ts';
import { KernelAlertLines } from './KernelAlertLines.tsx';
import { useHostClient } from '../../host/HostClientProvider.tsx';

const HOLD_AFTER_CLEAR_MS = 20_000;

export function StormBanner() {
  const { links } = useHostClient();
  const alerts = useAlerts().state;
  const devices = useDevicesByBdf();
  const [, setTick] = useState(0);
  const list = alerts ? [...alerts.values()] : [];
  const active = activeAlerts(list);
  // the live rate only matters (and is only subscribed) while a storm is on show
  const rates = useTopic(active[0]?.kind === 'storm' ? 'irq-rates' : null, models.rates).state;
  // the host's own clock where the data carries it (a replay's is the recording's, not this browser's)
  const now = rates?.t ?? Date.now();
  const recent = active.length
    ? null
    : list.filter((a) => a.clearedAt !== null && now - a.clearedAt < HOLD_AFTER_CLEAR_MS).sort((a, b) => b.clearedAt! - a.clearedAt!)[0];
  // re-render once a second while a storm is on show, to age it (and hide a cleared one);
  // keyed by the alert's id, not the object, which every update for it replaces
  const shownId = (active[0] ?? recent)?.id;
  useEffect(() => {
    if (shownId === undefined) return;
    const t = window.setInterval(() => setTick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, [shownId]);
  const title = alertTitle(active);
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(
    () => () => {
      document.title = alertTitle([]);
    },
    [],
  );

  const a = active[0] ?? recent;
  if (!a) return null;
  const isActive = a.clearedAt === null;
  return (
    <div
      className={`banner ${isActive ? 'storm' : 'storm-cleared'}`}
      role={isActive ? 'alert' : 'status'}
      data-testid="storm-banner"
      data-active={isActive}
      data-kind={a.kind}
      data-bdf={a.bdf ?? undefined}
      data-key={a.key}
    >
      <span className={isActive ? 'pulse' : 'dot warn'} />
      {a.kind === 'storm' ? (
        <StormLines a={a} now={now} current={rates?.byKey.get(a.key)?.rate} devices={devices} />
      ) : (
        <KernelAlertLines a={a} now={now} devices={devices} />
      )}
      {active.length > 1 ? (
        <span className="badge bad" data-testid="storm-more">
          +{active.length - 1} more
        </span>
      ) : null}
      <a href={links.view({ view: 'interrupts' })} className="banner-link">
        All interrupts →
      </a>
    </div>
  );
}

function StormLines({
  a,
  now,
  current,
  devices,
}: {
  a: StormAlert;
  now: number;
  current: number | undefined;
  devices: ReturnType<typeof useDevicesByBdf>;
}) {
  const { links } = useHostClient();
  const isActive = a.clearedAt === null;
  const pci = devices.get(a.bdf);
  return (
    <div className="banner-text">
      <div className="banner-line">
        <span className="banner-title">{isActive ? 'Interrupt storm' : 'Storm cleared'}</span>
        <span className="mono" data-testid="storm-vector">
          {vectorName(a)}
        </span>
        <span className="faint">of</span>
        <a href={links.device(a.bdf)} data-testid="storm-device-link" className="mono">
          {a.bdf}
        </a>
        {pci ? <span data-testid="storm-device-name">{deviceLabel(pci)}</span> : null}
        <span className="banner-owner" data-testid="storm-owner">
          {a.owner?.vm ? 'VM ' : ''}
          <strong>{ownerLabel(a.owner)}</strong>
        </span>
      </div>
      <div className="banner-line muted">
        {isActive ? (
          <span data-testid="storm-rate" data-rate={current ?? ''}>
            now <strong className="mono">{current === undefined ? '…' : formatRate(current)}</strong>
          </span>
        ) : null}
        <span data-testid="storm-peak">
          peak <strong className="mono">{formatRate(a.peakRate)}</strong>
        </span>
        <span data-testid="storm-threshold" data-threshold={a.threshold}>
          {stormReason(a)}
        </span>
        <span data-testid="storm-since" title={new Date(a.raisedAt).toISOString()}>
          {isActive
            ? `for ${formatDuration(now - a.raisedAt)}, since ${formatClock(a.raisedAt)}`
            : `lasted ${formatDuration(a.clearedAt! - a.raisedAt)}, cleared ${formatAgo(a.clearedAt!, now)}`}
        </span>
      </div>
    </div>
  );
}
