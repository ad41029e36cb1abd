/**
 * The in-process tap: a stream client of this server's own hub whose
 * "socket" hands each message to the recorder — the same messages, encoded
 * once by the hub, that a browser gets. It never backs up (bufferedAmount
 * 0): a recording must not skip deltas the way a slow browser's are skipped.
 */
import type { Principal } from '../auth/tokens.ts';
import type { StreamClient, StreamSocket } from '../stream/client.ts';
import type { StreamHub } from '../stream/hub.ts';
import type { StreamTap } from './recorder.ts';

/** who the hub sees recording (a viewer: a recording only reads) */
export const RECORDER_PRINCIPAL: Principal = { role: 'viewer', tokenId: 'recorder' };

export function hubTap(hub: StreamHub, principal: Principal = RECORDER_PRINCIPAL): StreamTap {
  let client: StreamClient | null = null;
  return {
    open(onText, onGone) {
      const socket: StreamSocket = {
        bufferedAmount: 0,
        readyState: 1,
        OPEN: 1,
        send: (text) => onText(text),
        // the hub closes its clients when the server shuts down (it disconnects them itself)
        close: () => onGone('the server is shutting down'),
        on: () => undefined,
      };
      client = hub.connect(socket, principal);
    },
    subscribe(topics) {
      if (client) void hub.subscribe(client, topics);
    },
    close() {
      if (client) hub.disconnect(client);
      client = null;
    },
  };
}
