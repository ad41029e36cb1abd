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

const HostClientContext = createContext<HostClient | null>(null);

export function HostClientProvider({ host, children }: { host: string | null; children: ReactNode }) {
  const { recheck } = useSession();
  const client = useMemo(() => createHostClient(host), [host]);
  useEffect(() => {
    client.store.start();
    const unwatch = watchConnection(client.store, recheck);
    return () => {
      unwatch();
      client.store.stop();
    };
  }, [client, recheck]);
  return <HostClientContext.Provider value={client}>{children}</HostClientContext.Provider>;
}

export function useHostClient(): HostClient {
  const c = useContext(HostClientContext);
  if (!c) throw new Error('useHostClient outside HostClientProvider');
  return c;
}
