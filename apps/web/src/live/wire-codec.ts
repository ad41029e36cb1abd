/**
 * The stream protocol (packages/protocol stream/messages.ts) as the live
 * store sees it: subscribe/unsubscribe frames out, snapshot/delta/hello/error
 * in. Inbound frames are checked for the fields the store relies on before
 * anything touches them; anything else is ignored.
 */
import type { ClientMessage, ServerMessage, Topic } from '@vfioscope/protocol';
import type { WireCodec } from './live-store.ts';

export const wireCodec: WireCodec = {
  subscribe: (topic): ClientMessage => ({ type: 'subscribe', topics: [topic as Topic] }),
  unsubscribe: (topic): ClientMessage => ({ type: 'unsubscribe', topics: [topic as Topic] }),
  decode(raw) {
    if (typeof raw !== 'object' || raw === null) return null;
    const msg = raw as ServerMessage;
    switch (msg.type) {
      case 'snapshot':
      case 'delta':
        if (typeof msg.topic !== 'string' || !Number.isInteger(msg.seq) || typeof msg.data !== 'object') return null;
        return { kind: msg.type, topic: msg.topic, seq: msg.seq, data: msg.data };
      case 'hello':
        return { kind: 'hello', data: msg };
      case 'error':
        return { kind: 'error', topic: msg.topic ?? null, message: `${msg.error?.errno ?? 'EINTERNAL'}: ${msg.error?.message ?? ''}` };
      default:
        return null;
    }
  },
};
