import { describe, expect, it } from 'vitest';
import { FAULT_RATE_WINDOW_MS, IommuFaults } from './iommu-faults.ts';

const NVME = '0000:4c:00.0';
const SERIAL = '0000:00:07.0';

describe('IommuFaults', () => {
  it('gives each faulting device its faults in the last minute and in all, busiest first', () => {
    const f = new IommuFaults();
    for (let t = 0; t < 60_000; t += 20_000) f.record(NVME, t);
    for (let t = 0; t < 60_000; t += 5_000) f.record(SERIAL, t);
    expect(f.rates(59_999)).toEqual([
      { bdf: SERIAL, perMinute: 12, total: 12 },
      { bdf: NVME, perMinute: 3, total: 3 },
    ]);
    // a minute after the first faults they leave the rate, not the total
    expect(f.rates(FAULT_RATE_WINDOW_MS + 1)).toEqual([
      { bdf: SERIAL, perMinute: 11, total: 12 },
      { bdf: NVME, perMinute: 2, total: 3 },
    ]);
    // all quiet: in BDF order
    expect(f.rates(10 * FAULT_RATE_WINDOW_MS)).toEqual([
      { bdf: SERIAL, perMinute: 0, total: 12 },
      { bdf: NVME, perMinute: 0, total: 3 },
    ]);
  });

  it('counts a device’s faults within a shorter window', () => {
    const f = new IommuFaults();
    for (const t of [0, 4000, 8000, 9000]) f.record(NVME, t);
    expect(f.within(NVME, 10_000, 5000)).toBe(2);
    expect(f.within(SERIAL, 10_000, 5000)).toBe(0);
  });
});
