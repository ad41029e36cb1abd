/**
 * The audit log: one JSON line per action attempt — who (token id and role),
 * what (the action and its parameters), and the outcome (result or errno) —
 * appended to <data-dir>/audit.log and flushed to disk (fdatasync) before the
 * HTTP answer leaves, so an action the operator saw answered is always on
 * record. Append-only; nothing here reads it back except tests and tools.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

export interface AuditRecord {
  ts: string;
  tokenId: string | null;
  role: string | null;
  remote: string;
  action: string;
  params: Record<string, unknown>;
  ok: boolean;
  result?: unknown;
  errno?: string;
  message?: string;
  status: number;
}

export class AuditLog {
  private fd: number | null;

  /** file null: keep nothing (benchmarks only) */
  constructor(readonly file: string | null) {
    this.fd = file === null ? null : openSync(file, 'a', 0o600);
  }

  /** Write one record durably. Synchronous on purpose: the caller answers only after it returns. */
  append(rec: Omit<AuditRecord, 'ts'>): AuditRecord {
    const full: AuditRecord = { ts: new Date().toISOString(), ...rec };
    if (this.fd !== null) {
      writeSync(this.fd, JSON.stringify(full) + '\n');
      fdatasyncSync(this.fd);
    }
    return full;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
