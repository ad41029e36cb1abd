/**
 * A stream client for tests: collects every server message (validated
 * against the protocol) and waits for the ones a test expects.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '@vfioscope/protocol';

/** A stream on the app (injected, no port) for `token`, listening from the first byte: the server says hello as soon as it opens. */
export async function connectStream(app: FastifyInstance, token: string, headers: Record<string, string> = {}): Promise<TestStream> {
  let s: TestStream | null = null;
  await app.injectWS(
    `/api/v1/stream?token=${token}`,
    { headers: { host: 'localhost:80', ...headers } },
    {
      onInit: (ws) => {
        s = new TestStream(ws as unknown as WebSocket);
      },
    },
  );
  return s!;
}

export class TestStream {
  readonly messages: ServerMessage[] = [];
  readonly invalid: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const p = parseServerMessage(String(raw));
      if (p.ok) this.messages.push(p.value);
      else this.invalid.push(`${p.message}: ${String(raw).slice(0, 200)}`);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Wait until a message matching pred has arrived (searching from index `from`). */
  async waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, from?: number, timeoutMs?: number): Promise<T>;
  async waitFor(pred: (m: ServerMessage) => boolean, from?: number, timeoutMs?: number): Promise<ServerMessage>;
  async waitFor(pred: (m: ServerMessage) => boolean, from = 0, timeoutMs = 5000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type + ('topic' in m ? `:${m.topic}` : '')).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  of(topic: string, type?: 'snapshot' | 'delta'): Extract<ServerMessage, { topic: string; seq: number }>[] {
    return this.messages.filter(
      (m): m is Extract<ServerMessage, { topic: string; seq: number }> =>
        (m.type === 'snapshot' || m.type === 'delta') && m.topic === topic && (type === undefined || m.type === type),
    );
  }

  close(): void {
    this.ws.close();
  }
}
