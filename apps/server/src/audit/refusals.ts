/**
 * Requests refused before they could act — no token (401), a role too low
 * or a foreign origin (403), a foreign Host (421) — counted for /metrics and
 * written to the logs at a bounded rate: the first refusal from a source in
 * an interval is written at once with its details, the rest of that
 * interval become one summary line per source. A flood of bad requests thus
 * costs a counter increment each, not an fdatasync each.
 */
import type { AuditLog } from './audit-log.ts';

export interface Refusal {
  remote: string;
  /** "POST /api/v1/groups/:group/close" (the matched route), or the method and "(no route)" */
  route: string;
  action: string | null;
  status: number;
  errno: string;
  message: string;
  tokenId: string | null;
  role: string | null;
}

export interface RefusalLogOptions {
  audit: AuditLog;
  /** an event-log line for what was written (same rate) */
  event: (message: string, data: Record<string, unknown>) => void;
  intervalMs?: number;
  /** sources tracked at once; further ones share one bucket */
  maxSources?: number;
  clock?: () => number;
}

interface Window {
  startedAt: number;
  total: number;
  counts: Map<string, { route: string; status: number; errno: string; n: number }>;
}

const OTHER_SOURCES = '(other sources)';

export class RefusalLog {
  private readonly windows = new Map<string, Window>();
  private readonly totals = new Map<string, { status: number; errno: string; n: number }>();
  private readonly intervalMs: number;
  private readonly maxSources: number;
  private readonly clock: () => number;
  private readonly timer: NodeJS.Timeout;
  /** writes that failed (disk full): counted, never thrown at a request */
  writeFailures = 0;

  constructor(private readonly opts: RefusalLogOptions) {
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.maxSources = opts.maxSources ?? 1024;
    this.clock = opts.clock ?? Date.now;
    this.timer = setInterval(() => this.flush(false), this.intervalMs);
    this.timer.unref();
  }

  record(r: Refusal): void {
    const tk = `${r.status} ${r.errno}`;
    const t = this.totals.get(tk);
    if (t) t.n++;
    else this.totals.set(tk, { status: r.status, errno: r.errno, n: 1 });

    const now = this.clock();
    const source = this.windows.has(r.remote) || this.windows.size < this.maxSources ? r.remote : OTHER_SOURCES;
    const w = this.windows.get(source);
    if (w && now - w.startedAt < this.intervalMs) {
      w.total++;
      const k = `${r.route}\u0000${r.status}\u0000${r.errno}`;
      const c = w.counts.get(k);
      if (c) c.n++;
      else w.counts.set(k, { route: r.route, status: r.status, errno: r.errno, n: 1 });
      return;
    }
    if (w) this.summarise(source, w, now);
    this.windows.set(source, { startedAt: now, total: 0, counts: new Map() });
    if (r.action !== null) {
      this.guard(
        this.opts.audit.refused({
          action: r.action,
          tokenId: r.tokenId,
          role: r.role,
          remote: r.remote,
          status: r.status,
          errno: r.errno,
          message: r.message,
        }),
      );
    }
    this.opts.event(`${r.route} refused for ${r.remote}: ${r.errno} ${r.message}`, {
      remote: r.remote,
      route: r.route,
      status: r.status,
    });
  }

  /** Refusals since start by status and problem code (for /metrics). */
  counts(): { status: number; errno: string; n: number }[] {
    return [...this.totals.values()];
  }

  /** Write the summaries of windows that have ended (all of them when closing). */
  flush(all: boolean): void {
    const now = this.clock();
    for (const [source, w] of this.windows) {
      if (!all && now - w.startedAt < this.intervalMs) continue;
      this.summarise(source, w, now);
      this.windows.delete(source);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(true);
  }

  private summarise(source: string, w: Window, now: number): void {
    if (w.total === 0) return;
    const counts = [...w.counts.values()].sort((a, b) => b.n - a.n);
    this.guard(
      this.opts.audit.refusals({
        remote: source,
        since: new Date(w.startedAt).toISOString(),
        until: new Date(now).toISOString(),
        total: w.total,
        counts,
      }),
    );
    const top = counts
      .slice(0, 3)
      .map((c) => `${c.route} ${c.errno} ×${c.n}`)
      .join(', ');
    this.opts.event(`${w.total} more refused requests from ${source} (${top}${counts.length > 3 ? ', …' : ''})`, {
      remote: source,
      total: w.total,
      counts: counts.slice(0, 20),
    });
  }

  /** a refusal's record is best effort: a full disk is counted, it never fails the request */
  private guard(write: Promise<void>): void {
    write.catch(() => {
      this.writeFailures++;
    });
  }
}
