/**
 * How a DriveSession action reads in the event log: an 'action' when it
 * succeeded, an 'alert' when it succeeded with a warning (a reset the device
 * did not come back from), an 'error' carrying the kernel errno name when it
 * failed.
 */
import type { SessionEvent } from '@vfioscope/session';
import type { LogEventInput } from './event-log.ts';

export function sessionEventToLog(e: SessionEvent, actor?: string): LogEventInput {
  const subject = e.device ?? (e.group !== undefined ? `group ${e.group}` : e.container !== undefined ? `container ${e.container}` : '');
  const what = `${e.op}${subject ? ` ${subject}` : ''}`;
  const message = !e.ok
    ? `${what} failed: ${e.errno ?? 'error'}${e.message ? ` ${e.message}` : ''}`
    : e.warning !== undefined
      ? `${what}: ${e.warning}`
      : what;
  return {
    // done by the kernel but trouble (a reset the device did not come back from): an alert
    kind: !e.ok ? 'error' : e.warning !== undefined ? 'alert' : 'action',
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
