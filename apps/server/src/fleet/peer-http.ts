/**
 * REST to one peer: node:http(s) over a keep-alive agent of the peer's own,
 * holding the peer's CA (the `ca` of its peers-file entry). Every request has
 * a deadline and an answer-size cap, so a peer that stalls or floods costs
 * the hub one bounded request, never an unbounded wait or buffer.
 */
import http from 'node:http';
import https from 'node:https';
import type { PeerConfig } from './peers-file.ts';

export interface PeerRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** path and query, e.g. "/api/v1/events?limit=10" */
  path: string;
  headers: Record<string, string>;
  /** JSON text of a POST/DELETE */
  body?: string;
  timeoutMs: number;
}

export interface PeerAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** The largest answer relayed (a big host's topology or a page of events is well under it). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** An error carrying the errno-like code the hub reports (ECONNREFUSED, ETIMEDOUT, EMSGSIZE, …). */
export class PeerRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class PeerTransport {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;

  constructor(private readonly peer: PeerConfig) {
    const tls = peer.url.protocol === 'https:';
    this.mod = tls ? https : http;
    this.agent = tls ? new https.Agent({ keepAlive: true, ...(peer.ca ? { ca: peer.ca } : {}) }) : new http.Agent({ keepAlive: true });
  }

  request(r: PeerRequest): Promise<PeerAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...r.headers, authorization: `Bearer ${this.peer.token}` };
      if (r.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(r.body));
      }
      const req = this.mod.request(new URL(r.path, this.peer.url), { method: r.method, headers, agent: this.agent });
      const timer = setTimeout(
        () => req.destroy(new PeerRequestError('ETIMEDOUT', `${this.peer.name} did not answer within ${r.timeoutMs} ms`)),
        r.timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        const code = err instanceof PeerRequestError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'EIO');
        reject(err instanceof PeerRequestError ? err : new PeerRequestError(code, `${this.peer.name}: ${code} ${err.message}`.trim()));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new PeerRequestError('EMSGSIZE', `${this.peer.name} answered with more than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 502, contentType: res.headers['content-type'], body: Buffer.concat(chunks) });
        });
      });
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * At most `maxInFlight` requests to one peer at a time and `maxQueued`
 * waiting: past that a request is refused at once (and counted) rather than
 * queued without bound behind a peer that has stopped answering.
 */
export class RequestGate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  dropped = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
  ) {}

  /** null when the gate is full (the caller answers 503). */
  async run<T>(fn: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.inFlight >= this.maxInFlight) {
      if (this.waiting.length >= this.maxQueued) {
        this.dropped++;
        return null;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing request hands its slot over
    } else this.inFlight++;
    try {
      return { value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }
}
