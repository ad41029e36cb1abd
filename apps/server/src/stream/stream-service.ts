/**
 * What the stream route needs behind it: the live hub (StreamHub) or a
 * recording's (ReplayHub). Both speak the one stream protocol.
 */
import { PROTOCOL_VERSION, type Backend, type HelloMessage, type ServerMessage } from '@vfioscope/protocol';
import type { Principal } from '../auth/tokens.ts';
import type { StreamClient, StreamSocket } from './client.ts';

export interface StreamService {
  connect(socket: StreamSocket, principal: Principal): StreamClient;
  subscribe(client: StreamClient, topics: readonly string[]): Promise<void>;
  unsubscribe(client: StreamClient, topics: readonly string[]): void;
  sendTo(client: StreamClient, msg: ServerMessage): void;
}

/** The first message of every connection, live or replayed: who it is and the stream's pace. */
export function helloMessage(principal: Principal, stream: { backend: Backend; tickHz: number; heartbeatMs: number }): HelloMessage {
  return { type: 'hello', version: PROTOCOL_VERSION, role: principal.role, ...stream };
}
