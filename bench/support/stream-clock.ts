/**
 * The offset of a server's clock from ours, from its stream: a `ping` with an
 * id is answered by a `heartbeat` carrying the server's Date.now() (`ts`) and
 * the same id (routes/stream.ts). As NTP does: with our send and receive
 * times s and r, the server read its clock somewhere inside [s, r], so
 * offset = ts − (s + r) / 2 is right within ± (r − s) / 2. Of a batch of pings
 * the one with the shortest round trip gives the tightest bound. Batches taken
 * through a run let a clock that drifts (a TCG guest's) be followed: an
 * instant in between is mapped with the offset interpolated between the
 * batches either side of it.
 */
/** what of a `ws` client this needs (the package is the server's dependency, not the bench's) */
interface StreamSocket {
  on(event: 'message', listener: (raw: unknown) => void): unknown;
  send(text: string): void;
}

export interface ClockReading {
  /** our clock (Date.now()) at the middle of the best round trip */
  at: number;
  /** the server's clock minus ours, ms */
  offset: number;
  /** that round trip, ms: the offset is right within ± rtt / 2 */
  rtt: number;
}

export class StreamClock {
  readonly readings: ClockReading[] = [];
  private nextId = 1_000_000;
  private readonly waiting = new Map<number, (ts: number) => void>();

  constructor(private readonly ws: StreamSocket) {
    ws.on('message', (raw: unknown) => {
      const text = String(raw);
      if (!text.startsWith('{"type":"heartbeat"')) return;
      const m = JSON.parse(text) as { ts: number; id?: number };
      if (m.id === undefined) return;
      const done = this.waiting.get(m.id);
      if (done) {
        this.waiting.delete(m.id);
        done(m.ts);
      }
    });
  }

  /** `n` pings one after another; keeps (and returns) the one with the shortest round trip */
  async measure(n = 20): Promise<ClockReading> {
    let best: ClockReading | null = null;
    for (let i = 0; i < n; i++) {
      const id = this.nextId++;
      const sent = Date.now();
      const ts = await new Promise<number>((res, rej) => {
        const timer = setTimeout(() => {
          this.waiting.delete(id);
          rej(new Error(`no heartbeat for ping ${id} within 30 s`));
        }, 30_000);
        this.waiting.set(id, (t) => {
          clearTimeout(timer);
          res(t);
        });
        this.ws.send(JSON.stringify({ type: 'ping', id }));
      });
      const got = Date.now();
      const r: ClockReading = { at: (sent + got) / 2, offset: ts - (sent + got) / 2, rtt: got - sent };
      if (!best || r.rtt < best.rtt) best = r;
    }
    this.readings.push(best!);
    return best!;
  }

  /**
   * The readings the mapping uses: a batch whose best round trip was long (the server's event loop or the
   * network busy all through it) bounds the offset loosely, and interpolating towards it would spread that;
   * batches within 3x the best one's round trip (+ 2 ms) are kept.
   */
  used(): ClockReading[] {
    const best = Math.min(...this.readings.map((r) => r.rtt));
    return this.readings.filter((r) => r.rtt <= 3 * best + 2);
  }

  /** the offset at our instant `at`: interpolated between the readings either side, the nearest one outside them */
  offsetAt(at: number): number {
    const rs = this.used().sort((a, b) => a.at - b.at);
    if (rs.length === 0) throw new Error('no clock readings');
    if (at <= rs[0]!.at) return rs[0]!.offset;
    for (let i = 1; i < rs.length; i++) {
      const a = rs[i - 1]!;
      const b = rs[i]!;
      if (at <= b.at) return a.offset + ((b.offset - a.offset) * (at - a.at)) / (b.at - a.at);
    }
    return rs[rs.length - 1]!.offset;
  }

  /** a server stamp on our clock (the offset looked up at about that instant, refined once) */
  toOurs(serverT: number): number {
    const guess = serverT - this.offsetAt(serverT - (this.readings[0]?.offset ?? 0));
    return serverT - this.offsetAt(guess);
  }

  /** the worst ± bound of the readings used (half its round trip), ms */
  bound(): number {
    return Math.max(...this.used().map((r) => r.rtt / 2));
  }
}
