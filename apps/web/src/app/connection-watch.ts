/**
 * What a dropped stream means. A browser WebSocket never sees the HTTP status
 * of a refused upgrade, so after each failed (re)connect we ask GET /whoami:
 * a 401 there (reported by the REST client) signs the page out; a network
 * error means the server is simply away, and the stream keeps retrying. When
 * the stream opens again after a drop, `onReconnected` lets the session
 * re-read who it is (the topics re-send their snapshots by themselves).
 */
import { api } from '../api/rest.ts';
import type { LiveStore } from '../live/live-store.ts';

/** `liveStore`: the shown host's store; the session it checks is always this server's. */
export function watchConnection(liveStore: LiveStore, onReconnected: () => void): () => void {
  let wasDown = false;
  let probedAttempt = -1;
  return liveStore.onConnection(() => {
    const s = liveStore.connection();
    if (s.state === 'open') {
      if (wasDown) onReconnected();
      wasDown = false;
      probedAttempt = -1;
      return;
    }
    if (s.state !== 'closed') return;
    wasDown = true;
    // once per failed attempt: the backoff bounds how often the server is asked
    if (s.attempt === probedAttempt) return;
    probedAttempt = s.attempt;
    api.call('whoami').catch(() => {
      // 401 is turned into "signed out" by the REST client; anything else: still away
    });
  });
}
