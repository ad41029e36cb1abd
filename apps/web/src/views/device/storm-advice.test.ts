import { describe, expect, it } from 'vitest';
import type { StormAlert } from '@vfioscope/protocol';
import { type AdvicePart, stormAdvice } from './storm-advice.ts';

const alert = (p: Partial<StormAlert>): StormAlert => ({
  kind: 'storm',
  id: 'a1',
  key: '0000:17:00.0/MSIX/0',
  bdf: '0000:17:00.0',
  index: 'MSIX',
  vector: 0,
  owner: { pid: 4242, comm: 'qemu-system-x86', vm: 'win11-cad' },
  peakRate: 60_000,
  reason: 'absolute',
  threshold: 50_000,
  raisedAt: 0,
  clearedAt: null,
  ...p,
});
const text = (steps: AdvicePart[][]) => steps.map((s) => s.map((p) => (typeof p === 'string' ? p : p.code)).join('')).join('\n');

describe('storm advice', () => {
  it("points an MSI-X storm in a VM at the guest driver, the vector's affinity and virsh", () => {
    const a = stormAdvice(alert({}));
    expect(a.case).toBe('vm');
    expect(a.action).toBeNull();
    const t = text(a.steps);
    expect(t).toContain('virsh console win11-cad');
    expect(t).toContain('vfio-msix[0](0000:17:00.0)');
    expect(t).toContain('smp_affinity_list');
    expect(t).toContain('virsh suspend win11-cad');
  });

  it('explains an INTx unmask loop and nointxmask', () => {
    const a = stormAdvice(alert({ index: 'INTX', reason: 'intx-unmask-loop', key: '0000:00:07.0/INTX/0', bdf: '0000:00:07.0' }));
    expect(a.case).toBe('intx-loop');
    expect(text(a.steps)).toContain('guest driver');
    expect(text(a.steps)).toContain('nointxmask=1');
    expect(a.action).toBeNull();
  });

  it('offers to mask or disable a vector vfioscope drives', () => {
    expect(stormAdvice(alert({ owner: null })).action).toBe('disable');
    expect(stormAdvice(alert({ owner: null, index: 'INTX', reason: 'intx-unmask-loop' })).action).toBe('mask');
  });

  it('names another userspace driver by its process', () => {
    const a = stormAdvice(alert({ owner: { pid: 900, comm: 'dpdk-testpmd', vm: null } }));
    expect(a.case).toBe('process');
    expect(a.title).toContain('dpdk-testpmd · pid 900');
    expect(text(a.steps)).toContain('kill 900');
  });
});
