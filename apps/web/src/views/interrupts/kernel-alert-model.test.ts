import { describe, expect, it } from 'vitest';
import type { KernelAlert } from '@vfioscope/protocol';
import { kernelAlertClears, kernelAlertShort, kernelAlertSubject, kernelAlertTitle } from './kernel-alert-model.ts';

const base: KernelAlert = {
  kind: 'kernel',
  id: 'k',
  key: 'k',
  reason: 'iommu-fault-storm',
  bdf: '0000:00:07.0',
  group: 7,
  owner: null,
  irq: null,
  count: 1,
  message: '',
  raisedAt: 0,
  lastAt: 0,
  clearedAt: null,
};

describe('kernel alert wording', () => {
  it('says what each reason is, how many, and when it clears', () => {
    const faults = { ...base, count: 14 };
    expect([kernelAlertTitle(faults), kernelAlertShort(faults), kernelAlertClears(faults)]).toEqual([
      'IOMMU fault storm',
      '14 faults',
      'clears once the device stops faulting',
    ]);
    const irq = { ...base, reason: 'irq-disabled' as const, bdf: null, group: null, irq: 16 };
    expect([kernelAlertTitle(irq), kernelAlertShort(irq), kernelAlertSubject(irq)]).toEqual(['IRQ disabled', 'IRQ 16 off', 'IRQ 16']);
    const memlock = { ...base, reason: 'memlock-exceeded' as const, bdf: null, count: 1 };
    expect([kernelAlertTitle(memlock), kernelAlertShort(memlock), kernelAlertSubject(memlock)]).toEqual([
      'DMA pin refused',
      'RLIMIT_MEMLOCK · 1 refusal',
      'group 7',
    ]);
    expect(kernelAlertSubject({ ...memlock, group: null })).toBe('host');
    expect(kernelAlertSubject(faults)).toBe('0000:00:07.0');
  });
});
