import { describe, expect, it } from 'vitest';
import { pinCharge } from './pin-charge.ts';

describe('pinCharge', () => {
  it('type1 charges VmLck, an IOAS VmPin, the compat container both', () => {
    expect(pinCharge('type1')).toEqual({ locked: true, pinned: false });
    expect(pinCharge('iommufd')).toEqual({ locked: false, pinned: true });
    expect(pinCharge('iommufd-compat')).toEqual({ locked: true, pinned: true });
  });
});
