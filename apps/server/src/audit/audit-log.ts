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
 */
import { JsonLinesFile, type RotationEvent } from '@vfioscope/telemetry';

interface Who {
  tokenId: string | null;
  role: string | null;
  remote: string;
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

export class AuditLog {
  private readonly out: JsonLinesFile | null;
  private readonly idPrefix = Date.now().toString(36);
  private nextId = 1;

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
            sync: 'fdatasync',
            ...(opts.onRotate ? { onRotate: opts.onRotate } : {}),
          });
  }

  /** Record an intent durably and return its id. Throws the write's error (code ENOSPC, EIO, …). */
  intent(rec: Input<'intent'>): string {
    const id = `${this.idPrefix}-${this.nextId++}`;
    this.write({ ts: now(), phase: 'intent', id, ...rec });
    return id;
  }

  result(id: string, rec: Input<'result'>): void {
    this.write({ ts: now(), phase: 'result', id, ...rec });
  }

  refused(rec: Input<'refused'>): void {
    this.write({ ts: now(), phase: 'refused', ...rec });
  }

  refusals(rec: Input<'refusals'>): void {
    this.write({ ts: now(), phase: 'refusals', ...rec });
  }

  close(): void {
    this.out?.close();
  }

  private write(rec: AuditRecord): void {
    this.out?.append(JSON.stringify(rec));
  }
}

function now(): string {
  return new Date().toISOString();
}
