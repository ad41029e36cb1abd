import { describe, expect, it } from 'vitest';
import { resetMethodMeaning } from './reset-methods.ts';

describe('resetMethodMeaning', () => {
  it('explains each method the kernel names', () => {
    expect(resetMethodMeaning('flr')).toContain('Function Level Reset');
    expect(resetMethodMeaning('af_flr')).toContain('Advanced Features');
    expect(resetMethodMeaning('pm')).toContain('D3hot');
    expect(resetMethodMeaning('bus')).toContain('every device below');
    expect(resetMethodMeaning('device_specific')).toContain('quirks.c');
    expect(resetMethodMeaning('cxl_bus')).toContain('CXL');
  });

  it('says so for a method it does not know', () => {
    expect(resetMethodMeaning('warp')).toBe('a reset method this page does not know');
  });
});
