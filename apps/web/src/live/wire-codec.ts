/**
 * The stream protocol (packages/protocol stream/messages.ts) as the live
 * store sees it: subscribe/unsubscribe frames out, snapshot/delta/hello/error
 * in. Every inbound frame is checked against the protocol's ServerMessage
 * schema before anything touches it — from then on it is typed by its kind;
 * anything else is dropped (the next snapshot heals the state).
 */
import {
  asServerMessage,
  type ClientMessage,
  type DeltaMessage,
  type HelloMessage,
  type SnapshotMessage,
  type Topic,
} from '@vfioscope/protocol';

export type Inbound =
  | { kind: 'snapshot'; message: SnapshotMessage }
  | { kind: 'delta'; message: DeltaMessage }
  | { kind: 'hello'; hello: HelloMessage }
  | { kind: 'error'; topic: string | null; message: string };

/** Wire shape adapter: how topics are subscribed and how messages are read. */
export interface WireCodec {
  subscribe(topic: Topic): ClientMessage;
  unsubscribe(topic: Topic): ClientMessage;
  /** classify an inbound frame; null for frames the store ignores or that are not protocol messages */
  decode(raw: unknown): Inbound | null;
}

export const wireCodec: WireCodec = {
  subscribe: (topic) => ({ type: 'subscribe', topics: [topic] }),
  unsubscribe: (topic) => ({ type: 'unsubscribe', topics: [topic] }),
  decode(raw) {
    const msg = asServerMessage(raw);
    if (msg === null) return null;
    switch (msg.type) {
      case 'snapshot':
        return { kind: 'snapshot', message: msg };
      case 'delta':
        return { kind: 'delta', message: msg };
      case 'hello':
        return { kind: 'hello', hello: msg };
      case 'error':
        return { kind: 'error', topic: msg.topic ?? null, message: `${msg.error.errno}: ${msg.error.message}` };
      default:
        return null;
    }
  },
};
