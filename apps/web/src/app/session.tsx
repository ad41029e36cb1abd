/**
 * Who is logged in: the token's role from GET /whoami. Operators act; viewers
 * read and see every action disabled with the reason. Without a valid token
 * the app shows the login screen instead of failing piecemeal — and says why:
 * no token yet (a neutral prompt), a token the server refused, a session the
 * server ended (it restarted with another token: any 401 while signed in), or
 * a server that cannot be reached yet (retried by itself).
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ReplayResponse, Role } from '@vfioscope/protocol';
import { api, ApiError } from '../api/rest.ts';
import { authToken, onUnauthorized, setAuthToken } from '../api/auth.ts';

export type SignedOutReason = 'none' | 'refused' | 'expired' | 'unreachable';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; role: Role; tokenId: string; replay: ReplayResponse | null }
  | { status: 'signed-out'; reason: SignedOutReason; error: ApiError | null };

interface Session {
  state: SessionState;
  role: Role | null;
  /** the recording this server replays (serve --replay), null for a live host */
  replay: ReplayResponse | null;
  canAct: boolean;
  /** why actions are disabled, null when they are not */
  actionBlockedReason: string | null;
  signIn(token: string): void;
  signOut(): void;
  /** ask the server again who we are, keeping what is shown (the stream came back after a drop) */
  recheck(): void;
}

const SessionContext = createContext<Session | null>(null);

export const VIEWER_REASON = 'Viewer role: read-only. Sign in with an operator token to act.';
export const REPLAY_REASON = 'A replay of a recording: read-only. Nothing can be done to a host from here.';

/** The recording a server replays, or null when it is live (its GET /replay answers 404 ENODATA). */
function askReplay(): Promise<ReplayResponse | null> {
  return api.call('replay').catch(() => null);
}

/** how often a first load retries a server it could not reach */
const UNREACHABLE_RETRY_MS = 3000;

/** GET /whoami (and /replay, side by side) asked at page load, before the provider first renders; its first load takes the answers. */
let earlyAsk: { whoami: ReturnType<typeof api.call<'whoami'>>; replay: Promise<ReplayResponse | null> } | null = null;

/** Asks GET /whoami and /replay now (page entry, before the first render): the provider's first load uses the answers. */
export function askWhoamiEarly(): void {
  earlyAsk = { whoami: api.call('whoami'), replay: askReplay() };
  // its rejection is handled when the provider adopts it; until then it must not count as unhandled
  earlyAsk.whoami.catch(() => undefined);
}

function signedOut(e: unknown, hadToken: boolean): SessionState {
  const error = e instanceof ApiError ? e : null;
  if (error?.status === 0) return { status: 'signed-out', reason: 'unreachable', error };
  // 401 without a token of our own is the ordinary first visit: nothing went wrong
  if (error?.status === 401 && !hadToken) return { status: 'signed-out', reason: 'none', error: null };
  return { status: 'signed-out', reason: 'refused', error };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  /** `quiet`: keep what is on screen while asking (a retry, a re-check after reconnecting) */
  const load = useCallback((quiet = false) => {
    if (!quiet) setState({ status: 'loading' });
    const hadToken = authToken() !== null;
    const asked = !quiet && earlyAsk !== null ? earlyAsk : { whoami: api.call('whoami'), replay: askReplay() };
    earlyAsk = null;
    asked.whoami.then(
      async (w) => {
        const replay = await asked.replay;
        setState({ status: 'signed-in', role: w.role, tokenId: w.tokenId, replay });
      },
      (e: unknown) =>
        setState((prev) => {
          // a drop while signed in is the stream's business (offline), not a sign-out
          if (quiet && prev.status === 'signed-in' && !(e instanceof ApiError && e.status === 401)) return prev;
          if (prev.status === 'signed-in') return { status: 'signed-out', reason: 'expired', error: null };
          return signedOut(e, hadToken);
        }),
    );
  }, []);
  useEffect(() => load(), [load]);

  // a 401 from any request while signed in: the server no longer takes this token
  const signedIn = state.status === 'signed-in';
  useEffect(() => {
    if (!signedIn) return;
    return onUnauthorized(() => {
      setAuthToken(null); // dead for good: a reload should prompt, not show EAUTH
      setState({ status: 'signed-out', reason: 'expired', error: null });
    });
  }, [signedIn]);

  const recheck = useCallback(() => load(true), [load]);

  // each failed retry is a new state object, which schedules the next one
  useEffect(() => {
    if (state.status !== 'signed-out' || state.reason !== 'unreachable') return;
    const t = window.setTimeout(() => load(true), UNREACHABLE_RETRY_MS);
    return () => window.clearTimeout(t);
  }, [state, load]);

  const role = state.status === 'signed-in' ? state.role : null;
  const replay = state.status === 'signed-in' ? state.replay : null;
  const session: Session = {
    state,
    role,
    replay,
    canAct: role === 'operator' && replay === null,
    actionBlockedReason: replay !== null ? REPLAY_REASON : role === 'operator' ? null : VIEWER_REASON,
    signIn: (token) => {
      setAuthToken(token.trim());
      load();
    },
    signOut: () => {
      setAuthToken(null);
      // the host views unmount with the sign-out, and their streams stop with them
      setState({ status: 'signed-out', reason: 'none', error: null });
    },
    recheck,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
