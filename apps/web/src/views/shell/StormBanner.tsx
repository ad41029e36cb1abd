/**
 * The storm banner: the worst active storm alert, with its device, vector,
 * owner and a link to the device. After the last storm clears it stays a
 * while in a calmer style, so a flapping vector does not make the page jump.
 */
import { useEffect, useState } from 'react';
import { deviceHref } from '../../app/router.ts';
import { useAlerts } from '../../live/hooks.ts';
import { formatAgo, formatRate } from '../../format/units.ts';

const HOLD_AFTER_CLEAR_MS = 20_000;

export function StormBanner() {
  const alerts = useAlerts().state;
  const [, setTick] = useState(0);
  const list = alerts ? [...alerts.values()] : [];
  const active = list.filter((a) => a.clearedAt === null).sort((a, b) => b.peakRate - a.peakRate);
  const now = Date.now();
  const recent = active.length
    ? null
    : list.filter((a) => a.clearedAt !== null && now - a.clearedAt < HOLD_AFTER_CLEAR_MS).sort((a, b) => b.clearedAt! - a.clearedAt!)[0];
  // re-render once a second while a cleared storm is on show, to age it and then hide it
  // (keyed by the alert's id, not the object, which every update for it replaces)
  const recentId = recent?.id;
  useEffect(() => {
    if (recentId === undefined) return;
    const t = window.setInterval(() => setTick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, [recentId]);
  const a = active[0] ?? recent;
  if (!a) return null;
  const isActive = a.clearedAt === null;
  return (
    <div
      className={`banner ${isActive ? 'storm' : 'storm-cleared'}`}
      role={isActive ? 'alert' : 'status'}
      data-testid="storm-banner"
      data-active={isActive}
      data-bdf={a.bdf}
    >
      <span className={isActive ? 'pulse' : 'dot warn'} />
      <span className="banner-title">{isActive ? 'Interrupt storm' : 'Storm cleared'}</span>
      <span>
        <a href={deviceHref(a.bdf)} data-testid="storm-device-link" className="mono">
          {a.bdf}
        </a>{' '}
        <span className="mono">
          {a.index}[{a.vector}]
        </span>{' '}
        peak <strong className="mono">{formatRate(a.peakRate)}</strong>
        {a.reason === 'intx-unmask-loop' ? ' · INTx unmask loop' : a.reason === 'baseline' ? ' · far above its baseline' : ''}
        {!isActive ? ` · ${formatAgo(a.clearedAt!, now)}` : ''}
      </span>
      <span className="muted" data-testid="storm-owner">
        owner: {a.owner ? `${a.owner.comm} (pid ${a.owner.pid})` : 'vfioscope'}
      </span>
      {active.length > 1 ? <span className="badge bad">+{active.length - 1} more</span> : null}
      <a href="#/interrupts" style={{ marginLeft: 'auto' }}>
        All interrupts →
      </a>
    </div>
  );
}
