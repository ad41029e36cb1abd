/**
 * The audit log, write-ahead: an action's intent — who (token id, role,
 * address), what (the action and its validated parameters) — is on disk
 * (fdatasync) before the backend is called, and its outcome follows as a
 * second record carrying the same id. If the intent cannot be written (disk
 * full, I/O error) the caller refuses the action: no audit, no action.
 * Refusals that never got that far (bad input, and — rate-limited by
 * RefusalLog — missing tokens, low roles, foreign hosts) are records too.
 *
 * One JSON object per line in <data-dir>/audit.log. A failed write is rolled
 * back so the file never holds a torn record, a torn tail left by a crash is
 * terminated at startup, and the file rotates by size into audit.log.<n>
 * files that vfioscope never deletes (archiving them is the operator's call).
 *
 * Durability is a group commit: records queue while a flush is in flight
 * and the next flush writes them in one write(2) and one fdatasync(2) off
 * the event loop; each caller resolves once its own record is on the disk.
 * So under concurrency (8,192 maps from one client) the disk sees one flush
 * per batch instead of two per request, and the server keeps answering
 * while the disk works.
 */
import { JsonLinesFile, type RotationEvent } from '@vfioscope/telemetry';

interface Who {
  tokenId: string | null;
  role: string | null;
  remote: string;
  /** the person a hub's token acted for, as the hub named them (x-vfioscope-on-behalf-of) */
  onBehalfOf?: string;
  /** the fleet host a hub forwarded the action to (absent: this server's own host) */
  host?: string;
}

export type AuditRecord =
  | ({ ts: string; phase: 'intent'; id: string; action: string; params: Record<string, unknown> } & Who)
  | ({
      ts: string;
      phase: 'result';
      id: string;
      action: string;
      ok: boolean;
      status: number;
      result?: unknown;
      errno?: string;
      message?: string;
    } & Who)
  | ({
      ts: string;
      phase: 'refused';
      action: string;
      status: number;
      errno: string;
      message: string;
      params?: Record<string, unknown>;
    } & Who)
  | {
      ts: string;
      phase: 'refusals';
      remote: string;
      /** the window these refusals fell in (ISO times) */
      since: string;
      until: string;
      total: number;
      counts: { route: string; status: number; errno: string; n: number }[];
    };

type Input<P extends AuditRecord['phase']> = Omit<Extract<AuditRecord, { phase: P }>, 'ts' | 'phase' | 'id'>;

export const DEFAULT_LOG_MAX_BYTES = 64 * 1024 * 1024;

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class AuditLog {
  private readonly out: JsonLinesFile | null;
  private readonly idPrefix = Date.now().toString(36);
  private nextId = 1;
  private queue: Pending[] = [];
  private flushing = false;

  /** file null: keep nothing (benchmarks only) */
  constructor(
    readonly file: string | null,
    opts: { maxBytes?: number; onRotate?: (e: RotationEvent) => void } = {},
  ) {
    this.out =
      file === null
        ? null
        : new JsonLinesFile(file, {
            maxBytes: opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES,
            keep: 'all',
            sync: 'group',
            ...(opts.onRotate ? { onRotate: opts.onRotate } : {}),
          });
  }

  /** Record an intent durably; resolves to its id. Rejects with the write's error (code ENOSPC, EIO, …). */
  async intent(rec: Input<'intent'>): Promise<string> {
    const id = `${this.idPrefix}-${this.nextId++}`;
    await this.write({ ts: now(), phase: 'intent', id, ...rec });
    return id;
  }

  result(id: string, rec: Input<'result'>): Promise<void> {
    return this.write({ ts: now(), phase: 'result', id, ...rec });
  }

  refused(rec: Input<'refused'>): Promise<void> {
    return this.write({ ts: now(), phase: 'refused', ...rec });
  }

  refusals(rec: Input<'refusals'>): Promise<void> {
    return this.write({ ts: now(), phase: 'refusals', ...rec });
  }

  /** Resolves once every record written so far is on the disk (or has failed). */
  async settled(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  /** Wait for queued records, then close the file. */
  async close(): Promise<void> {
    await this.settled();
    this.out?.close();
  }

  private write(rec: AuditRecord): Promise<void> {
    const out = this.out;
    if (out === null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(rec), resolve, reject });
      if (!this.flushing) this.flush(out);
    });
  }

  /** Write the whole queue at once, flush it, settle its callers; then the records that queued meanwhile. */
  private flush(out: JsonLinesFile): void {
    const batch = this.queue;
    this.queue = [];
    this.flushing = true;
    const settle = (err: unknown) => {
      for (const p of batch) err === undefined ? p.resolve() : p.reject(err);
      this.flushing = false;
      if (this.queue.length > 0) this.flush(out);
    };
    try {
      out.appendLines(batch.map((p) => p.line));
    } catch (err) {
      settle(err);
      return;
    }
    out.syncAsync().then(() => settle(undefined), settle);
  }
}

function now(): string {
  return new Date().toISOString();
}
