/**
 * How a DriveSession action reads in the event log: an 'action' when it
 * succeeded, an 'error' carrying the kernel errno name when it failed.
 */
import type { SessionEvent } from '@vfioscope/session';
import type { LogEventInput } from './event-log.ts';

export function sessionEventToLog(e: SessionEvent, actor?: string): LogEventInput {
  const subject = e.device ?? (e.group !== undefined ? `group ${e.group}` : e.container !== undefined ? `container ${e.container}` : '');
  const message = e.ok
    ? `${e.op}${subject ? ` ${subject}` : ''}`
    : `${e.op}${subject ? ` ${subject}` : ''} failed: ${e.errno ?? 'error'}${e.message ? ` ${e.message}` : ''}`;
  return {
    kind: e.ok ? 'action' : 'error',
    ts: e.ts,
    message,
    op: e.op,
    ...(actor !== undefined ? { actor } : {}),
    ...(e.device !== undefined ? { device: e.device } : {}),
    ...(e.group !== undefined ? { group: e.group } : {}),
    ...(e.container !== undefined ? { container: e.container } : {}),
    ...(e.errno !== undefined ? { errno: e.errno } : {}),
    data: { params: e.params, ...(e.result ? { result: e.result } : {}), ...(e.failedOp ? { failedOp: e.failedOp } : {}) },
  };
}
