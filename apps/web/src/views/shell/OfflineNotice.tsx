/**
 * While the stream is down, what is on screen is a picture of the past: say
 * from when ("as of 03:16:42, 40 s ago", ticking) and that the page is
 * reconnecting by itself, with a way to try now.
 */
import { useEffect, useState } from 'react';
import { useConnection } from '../../live/hooks.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { age, clock } from './data-age.ts';

export function OfflineNotice({ asOf }: { asOf: number }) {
  const { store } = useHostClient();
  const c = useConnection();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const retryIn = c.state === 'closed' && c.retryAt !== null ? Math.max(0, Math.ceil((c.retryAt - now) / 1000)) : null;
  return (
    <div className="offline-notice" role="status" data-testid="offline-notice" data-as-of={asOf}>
      <span className="dot bad" />
      <strong>Disconnected</strong>
      <span data-testid="data-age">
        data as of <span className="mono">{clock(asOf)}</span>, {age(asOf, now)}
      </span>
      <span className="muted">{retryIn === null ? 'reconnecting…' : `reconnecting in ${retryIn} s`}</span>
      <button type="button" className="btn ghost small" onClick={() => store.restart()} data-testid="reconnect-now">
        Reconnect now
      </button>
    </div>
  );
}
