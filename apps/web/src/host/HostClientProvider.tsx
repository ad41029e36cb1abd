/**
 * The host the page shows, for every view below it: one client (REST +
 * live store) per host, made when the host is chosen and stopped when
 * another is — so switching hosts switches the whole UI and nothing of the
 * previous host keeps streaming.
 */
import { createContext, type ReactNode, useContext, useEffect, useMemo } from 'react';
import { useSession } from '../app/session.tsx';
import { watchConnection } from '../app/connection-watch.ts';
import { createHostClient, type HostClient } from './host-client.ts';
import { adoptEarly, earlyClient, forgetEarly } from './early-stream.ts';

const HostClientContext = createContext<HostClient | null>(null);

export function HostClientProvider({ host, children }: { host: string | null; children: ReactNode }) {
  const { recheck } = useSession();
  const client = useMemo(() => earlyClient(host) ?? createHostClient(host), [host]);
  useEffect(() => {
    // the early stream (early-stream.ts) is running already: the views below have subscribed by now
    if (!adoptEarly(client)) client.store.start();
    const unwatch = watchConnection(client.store, recheck);
    return () => {
      unwatch();
      client.store.stop();
      forgetEarly(client);
    };
  }, [client, recheck]);
  return <HostClientContext.Provider value={client}>{children}</HostClientContext.Provider>;
}

export function useHostClient(): HostClient {
  const c = useContext(HostClientContext);
  if (!c) throw new Error('useHostClient outside HostClientProvider');
  return c;
}
