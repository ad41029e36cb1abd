/**
 * Every DriveSession action ends in exactly one SessionEvent (ok or not), so
 * the server's audit log and the telemetry event log see each attempt with
 * its parameters, result and the kernel errno name.
 */
import { isVfioError } from '@vfioscope/host';
import type { SessionEvent, SessionOp } from './session-types.ts';

export type SessionEventListener = (e: SessionEvent) => void;

/** Bytes beyond this many are summarised by length only in event parameters. */
const MAX_HEX_BYTES = 64;

/** A JSON-safe copy: bigints as 0x hex, byte arrays as hex (truncated). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (value instanceof Uint8Array) {
    const shown = value.subarray(0, MAX_HEX_BYTES);
    const hex = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex');
    return value.length > MAX_HEX_BYTES ? `${hex}…(${value.length} bytes)` : hex;
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

export class SessionEventBus {
  private readonly listeners = new Set<SessionEventListener>();

  on(fn: SessionEventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Run one action and emit its event. The action's error is rethrown
   * unchanged (a VfioError keeps its errno) after the event is out.
   */
  async record<T>(
    op: SessionOp,
    subject: { device?: string; group?: number; container?: number },
    params: Record<string, unknown>,
    action: () => Promise<T>,
    describe?: (result: T) => Record<string, unknown>,
    /** what is wrong with a result the kernel reported as done (the event carries it as `warning`) */
    warn?: (result: T) => string | undefined,
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await action();
      const warning = warn?.(result);
      this.emit({
        ts: Date.now(),
        op,
        ok: true,
        params: jsonSafe(params) as Record<string, unknown>,
        ...(describe ? { result: jsonSafe(describe(result)) as Record<string, unknown> } : {}),
        ...(warning !== undefined ? { warning } : {}),
        ...subject,
        durationMs: performance.now() - started,
      });
      return result;
    } catch (err) {
      this.emit({
        ts: Date.now(),
        op,
        ok: false,
        params: jsonSafe(params) as Record<string, unknown>,
        ...(isVfioError(err) ? { errno: err.errno, failedOp: err.op, message: err.detail } : { message: String(err) }),
        ...subject,
        durationMs: performance.now() - started,
      });
      throw err;
    }
  }

  private emit(e: SessionEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // a faulty listener must not turn a successful kernel action into a failure
      }
    }
  }
}
