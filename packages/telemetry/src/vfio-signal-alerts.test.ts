import { describe, expect, it } from 'vitest';
import { vfioSignals } from './vfio-signal-alerts.ts';

describe('vfioSignals', () => {
  it('turns an ERR or REQ firing into a signal of the device; data vectors and silence are not signals', () => {
    expect(
      vfioSignals(
        new Map([
          ['0000:00:04.0/MSI/0', 500],
          ['0000:00:04.0/ERR/0', 1],
          ['0000:00:05.0/REQ/0', 2],
          ['0000:00:06.0/REQ/0', 0],
        ]),
      ),
    ).toEqual([
      { reason: 'device-error', bdf: '0000:00:04.0', count: 1 },
      { reason: 'device-request', bdf: '0000:00:05.0', count: 2 },
    ]);
  });
});
