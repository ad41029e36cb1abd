import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '@vfioscope/session';
import { sessionEventToLog } from './session-log.ts';

const base: SessionEvent = { ts: 1, op: 'reset', ok: true, params: {}, device: '0000:98:00.0', durationMs: 3 };

describe('sessionEventToLog', () => {
  it('logs a done action as an action', () => {
    expect(sessionEventToLog(base, 'operator')).toMatchObject({ kind: 'action', message: 'reset 0000:98:00.0', actor: 'operator' });
  });

  it('logs a done action with a warning as an alert that says it', () => {
    const warning = '0000:98:00.0 did not come back from the reset: config space reads all-ones';
    expect(sessionEventToLog({ ...base, warning })).toMatchObject({
      kind: 'alert',
      device: '0000:98:00.0',
      message: `reset 0000:98:00.0: ${warning}`,
    });
  });

  it('logs a failure as an error with the kernel errno', () => {
    expect(sessionEventToLog({ ...base, ok: false, errno: 'EINVAL', message: 'no reset method' })).toMatchObject({
      kind: 'error',
      errno: 'EINVAL',
      message: 'reset 0000:98:00.0 failed: EINVAL no reset method',
    });
  });
});
