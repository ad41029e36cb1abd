/**
 * A fleet host this server cannot reach: what is on screen is its last
 * known state. Say since when and why; it comes back by itself when the
 * server's link to it does.
 */
import { useEffect, useState } from 'react';
import type { HostSummary } from '@vfioscope/protocol';
import { age, clock } from './data-age.ts';

export function HostDownNotice({ host }: { host: HostSummary }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  return (
    <div className="offline-notice" role="status" data-testid="host-down-notice">
      <span className="dot bad" />
      <strong>{host.name} is unreachable</strong>
      <span>
        since <span className="mono">{clock(host.since)}</span>, {age(host.since, now)}
        {host.reason ? ` (${host.reason})` : ''}
      </span>
      <span className="muted">showing its last known state; the server reconnects by itself</span>
    </div>
  );
}
