import { conforms, LogEvent } from '@vfioscope/protocol';
import { describe, expect, it } from 'vitest';
import { eventView } from './event-view.ts';

describe('eventView', () => {
  it('passes an event that fits the contract through as it is', () => {
    const e = { seq: 3, ts: 1000, kind: 'action', message: 'openGroup group 4', op: 'openGroup', group: 4 };
    expect(eventView(e)).toBe(e);
  });

  it('carries a line an older vfioscope wrote (no message; a kernel event without its record fields) as info with the original kept', () => {
    const noMessage = { seq: 7, ts: 2000, kind: 'action', op: 'mapDma' };
    const oldKernel = { seq: 8, ts: 3000, kind: 'kernel', op: 'iommu-fault', message: 'DMAR: …', data: { kind: 'iommu-fault' } };
    for (const old of [noMessage, oldKernel]) {
      const v = eventView(old);
      expect(conforms(LogEvent, v)).toBe(true);
      expect(v).toMatchObject({ seq: old.seq, ts: old.ts, kind: 'info', op: 'older-format', data: { original: old } });
    }
    expect(eventView(oldKernel).message).toBe('DMAR: …');
    expect(eventView(noMessage).message).toContain('kind action');
  });
});
