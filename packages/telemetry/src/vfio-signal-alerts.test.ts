import { describe, expect, it } from 'vitest';
import { vfioSignalAlerts } from './vfio-signal-alerts.ts';

describe('vfioSignalAlerts', () => {
  it('turns an ERR or REQ firing into an alert on the device that says what it means; data vectors and silence are not alerts', () => {
    const alerts = vfioSignalAlerts(
      new Map([
        ['0000:00:04.0/MSI/0', 500],
        ['0000:00:04.0/ERR/0', 1],
        ['0000:00:05.0/REQ/0', 2],
        ['0000:00:06.0/REQ/0', 0],
      ]),
    );
    expect(alerts.map((a) => [a.op, a.device, a.data])).toEqual([
      ['vfio-err', '0000:00:04.0', { index: 'ERR', count: 1 }],
      ['vfio-req', '0000:00:05.0', { index: 'REQ', count: 2 }],
    ]);
    expect(alerts[0]?.message).toContain('AER');
    expect(alerts[1]?.message).toContain('unbind or hot-unplug is waiting');
    expect(alerts[1]?.message).toContain('2 times');
  });
});
