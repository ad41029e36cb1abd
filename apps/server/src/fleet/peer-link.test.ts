/**
 * The link's own failure modes, against stand-in peers on loopback: one that
 * says hello and then falls silent (hung, its socket still open), and one
 * that refuses the hub's token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { RequestGate } from './peer-http.ts';
import { PeerLink } from './peer-link.ts';

const HELLO = { type: 'hello', version: 1, role: 'viewer', backend: 'sim', tickHz: 10, heartbeatMs: 5000 };

let server: Server | null = null;
let link: PeerLink | null = null;
afterEach(async () => {
  link?.close();
  link = null;
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
});

async function standIn(setup: (s: Server) => void): Promise<URL> {
  const s = createServer();
  server = s;
  setup(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
}

async function until(ms: number, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PeerLink', () => {
  it('is down within the deadline when the peer falls silent, though its socket stays open', async () => {
    const url = await standIn((s) => {
      const wss = new WebSocketServer({ server: s });
      wss.on('connection', (ws: WebSocket) => ws.send(JSON.stringify(HELLO))); // and never another word
    });
    link = new PeerLink({ name: 'hung', url, token: 'a-token-for-the-peer', ca: null });
    link.start();
    await until(2000, () => link!.state === 'up');
    expect(link.access).toBe('viewer');
    const upAt = Date.now();
    await until(5000, () => link!.state === 'down');
    // 3 s of silence, noticed at the next 1 s ping
    expect(Date.now() - upAt).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - upAt).toBeLessThan(4500);
    expect(link.reason).toBe('no answer within 3000 ms');
  }, 10_000);

  it('says why when the peer refuses the token, and keeps trying', async () => {
    let attempts = 0;
    const url = await standIn((s) =>
      s.on('upgrade', (_req, socket) => {
        attempts++;
        // the link drops a refused upgrade at once: a reset of this socket is expected, not an error
        // (an upgrade socket has no error listener of its own; unhandled, ECONNRESET failed a loaded run)
        socket.on('error', () => undefined);
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      }),
    );
    link = new PeerLink({ name: 'strict', url, token: 'a-token-for-the-peer', ca: null });
    link.start();
    await until(3000, () => attempts >= 2);
    expect(link.state).toBe('down');
    expect(link.reason).toContain('HTTP 401');
  });
});

describe('RequestGate', () => {
  it('runs at most N at once, queues M, and refuses (and counts) the rest', async () => {
    const gate = new RequestGate(2, 1);
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return 'done';
      });
    const admitted = [task(), task(), task()];
    expect(await task()).toBeNull();
    expect(gate.dropped).toBe(1);
    await until(1000, () => releases.length === 2);
    for (const release of releases.splice(0)) release();
    await until(1000, () => releases.length === 1); // the queued one got a slot
    releases.shift()!();
    expect(await Promise.all(admitted)).toEqual([{ value: 'done' }, { value: 'done' }, { value: 'done' }]);
    expect(most).toBe(2);
  });
});
