/**
 * The part of the `ws` library's API this server uses (ws ships no types and
 * we add no @types package for a handful of members).
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingHttpHeaders } from 'node:http';

  export type RawData = Buffer | ArrayBuffer | Buffer[];

  export interface ClientOptions {
    headers?: Record<string, string>;
    maxPayload?: number;
    /** TLS: trust these CAs (wss:), and the name to check the certificate against */
    ca?: string | Buffer;
    servername?: string;
    /** ms the opening handshake may take before the connection is given up */
    handshakeTimeout?: number;
  }

  export class WebSocket extends EventEmitter {
    constructor(address: string | null, protocols?: string | string[] | ClientOptions, options?: ClientOptions);
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    readonly CONNECTING: 0;
    readonly OPEN: 1;
    readonly CLOSING: 2;
    readonly CLOSED: 3;
    readonly readyState: 0 | 1 | 2 | 3;
    /** bytes queued by send() not yet handed to the kernel */
    readonly bufferedAmount: number;
    send(data: string | Buffer, cb?: (err?: Error) => void): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    pause(): void;
    resume(): void;
    ping(data?: string | Buffer): void;
    on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'open', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(
      event: 'unexpected-response',
      listener: (req: unknown, res: { statusCode: number; headers: IncomingHttpHeaders; resume(): void }) => void,
    ): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    once(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
    once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    once(event: string, listener: (...args: unknown[]) => void): this;
  }

  export interface ServerOptions {
    maxPayload?: number;
    [key: string]: unknown;
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions);
    readonly clients: Set<WebSocket>;
  }
  export { WebSocketServer as Server };
  export default WebSocket;
}
