/**
 * The tap of `record --server`: the fleet's own link to a server's stream
 * (PeerLink: validated messages, pings, redial with backoff), so a recording
 * from another machine survives the server's restarts — each reconnect
 * subscribes again and records the fresh snapshots that follow.
 */
import { PeerLink } from '../fleet/peer-link.ts';
import type { PeerConfig } from '../fleet/peers-file.ts';
import type { StreamTap } from './recorder.ts';

export function peerTap(peer: PeerConfig): StreamTap {
  const link = new PeerLink(peer);
  const wanted = new Set<string>();
  return {
    open(onText) {
      // PeerLink hands over parsed, validated messages; the recording keeps their JSON text
      link.onTopic((m) => onText(JSON.stringify(m)));
      link.start();
    },
    subscribe(topics) {
      for (const t of topics) {
        if (wanted.has(t)) link.resnapshot(t);
        else {
          wanted.add(t);
          link.want(t);
        }
      }
    },
    close() {
      link.close();
    },
  };
}
