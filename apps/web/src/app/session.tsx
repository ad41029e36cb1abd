/**
 * Who is logged in: the token's role from GET /whoami. Operators act; viewers
 * read and see every action disabled with the reason. Without a valid token
 * the app shows the login screen instead of failing piecemeal.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { apiPaths, type Role, type WhoamiResponse } from '@vfioscope/protocol';
import { get, ApiError } from '../api/rest.ts';
import { setAuthToken } from '../api/auth.ts';
import { liveStore } from '../live/hooks.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; role: Role; tokenId: string }
  | { status: 'signed-out'; error: ApiError | null };

interface Session {
  state: SessionState;
  role: Role | null;
  canAct: boolean;
  /** why actions are disabled, null when they are not */
  actionBlockedReason: string | null;
  signIn(token: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export const VIEWER_REASON = 'Viewer role: read-only. Sign in with an operator token to act.';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const load = useCallback(() => {
    setState({ status: 'loading' });
    get<WhoamiResponse>(apiPaths.whoami()).then(
      (w) => setState({ status: 'signed-in', role: w.role, tokenId: w.tokenId }),
      (e: unknown) => setState({ status: 'signed-out', error: e instanceof ApiError ? e : null }),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    if (state.status !== 'signed-in') return;
    liveStore.start();
    return () => liveStore.stop();
  }, [state.status]);

  const role = state.status === 'signed-in' ? state.role : null;
  const session: Session = {
    state,
    role,
    canAct: role === 'operator',
    actionBlockedReason: role === 'operator' ? null : VIEWER_REASON,
    signIn: (token) => {
      setAuthToken(token.trim());
      load();
    },
    signOut: () => {
      setAuthToken(null);
      liveStore.stop();
      setState({ status: 'signed-out', error: null });
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
