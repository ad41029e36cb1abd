/**
 * The hosts this server shows: itself and, when it fronts a fleet (serve
 * --peers), each peer with whether it is up and its fleet figures — from
 * GET /api/v1/hosts, read every couple of seconds while the page is visible
 * (the server keeps each peer's figures live from its stream; a poll is
 * what a table of a handful of hosts needs). One reader for the host
 * switcher, the nav and the fleet page.
 */
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import type { HostSummary } from '@vfioscope/protocol';
import { api, type ApiError } from '../api/rest.ts';

/** a peer that goes away shows as down within this plus the server's own detection (a second or two) */
const POLL_MS = 2000;

export interface Fleet {
  /** null until the first answer */
  hosts: HostSummary[] | null;
  /** this server's own name in the fleet */
  self: string | null;
  /** the last poll's failure, while it lasts */
  error: ApiError | null;
  /** when the list was last read */
  at: number | null;
}

const FleetContext = createContext<Fleet | null>(null);

export function FleetProvider({ children }: { children: ReactNode }) {
  const [fleet, setFleet] = useState<Fleet>({ hosts: null, self: null, error: null, at: null });
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const poll = () => {
      if (document.hidden) {
        timer = window.setTimeout(poll, POLL_MS);
        return;
      }
      api.call('hosts').then(
        ({ hosts }) => {
          if (stopped) return;
          setFleet({ hosts, self: hosts.find((h) => h.self)?.name ?? null, error: null, at: Date.now() });
          timer = window.setTimeout(poll, POLL_MS);
        },
        (error: ApiError) => {
          if (stopped) return;
          setFleet((f) => ({ ...f, error }));
          timer = window.setTimeout(poll, POLL_MS);
        },
      );
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, []);
  return <FleetContext.Provider value={fleet}>{children}</FleetContext.Provider>;
}

export function useFleet(): Fleet {
  const f = useContext(FleetContext);
  if (!f) throw new Error('useFleet outside FleetProvider');
  return f;
}

/** more than this server's own host: the fleet page and the host switcher have something to show */
export const isFleet = (f: Fleet) => (f.hosts?.length ?? 0) > 1;
