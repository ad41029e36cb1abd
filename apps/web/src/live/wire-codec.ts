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
  hostTopic,
  isLocalTopic,
  onHost,
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

/**
 * The same stream for one peer host of the fleet this server fronts: a
 * store works in the host's own topic names ("irq-rates"), the wire carries
 * them as "hosts/<name>/irq-rates"; messages of other hosts are not this
 * store's.
 */
export function hostWireCodec(host: string, base: WireCodec = wireCodec): WireCodec {
  const own = (topic: string): Topic | null => {
    const t = hostTopic(topic);
    return t !== null && t.host === host ? t.topic : null;
  };
  /** the store's names are the host's own; a name that already carries a host is a bug of the caller */
  const onWire = (topic: Topic) => {
    if (!isLocalTopic(topic)) throw new Error(`${topic}: a host's store subscribes to its own topic names`);
    return onHost(host, topic);
  };
  return {
    subscribe: (topic) => base.subscribe(onWire(topic)),
    unsubscribe: (topic) => base.unsubscribe(onWire(topic)),
    decode(raw) {
      const m = base.decode(raw);
      if (m === null || m.kind === 'hello') return m;
      if (m.kind === 'error') {
        if (m.topic === null) return m;
        const topic = own(m.topic);
        return topic === null ? null : { ...m, topic };
      }
      const topic = own(m.message.topic);
      if (topic === null) return null;
      return m.kind === 'snapshot'
        ? { kind: 'snapshot', message: { ...m.message, topic } }
        : { kind: 'delta', message: { ...m.message, topic } };
    },
  };
}
