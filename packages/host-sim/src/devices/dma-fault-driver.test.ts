import { describe, expect, it } from 'vitest';
import { createSimHost, loadScenario } from '../index.ts';
import { ManualClock } from '../kernel/clock.ts';

async function faultsAfter(scenario: string, ms: number) {
  const clock = new ManualClock(0);
  const host = createSimHost({ scenario: loadScenario(scenario), clock });
  await host.kernelLog(-1);
  clock.advance(ms);
  const r = await host.kernelLog(-1);
  await host.close();
  return r.ok ? r.records.flatMap((x) => (x.message?.kind === 'iommu-fault' ? [x.message] : [])) : [];
}

describe('scenario devices that fault now and then', () => {
  it('default: the first VM’s NVMe (0000:4c:00.0) faults once every 20 s', async () => {
    const faults = await faultsAfter('default', 45_000);
    expect(faults.map((f) => [f.bdf, f.address, f.direction])).toEqual([
      ['0000:4c:00.0', '0x7fff0000', 'write'],
      ['0000:4c:00.0', '0x7fff0000', 'write'],
    ]);
  });

  it('storm: the VM’s serial card faults every 5 s', async () => {
    const faults = await faultsAfter('storm', 10_500);
    expect(faults).toHaveLength(2);
    expect(new Set(faults.map((f) => f.address))).toEqual(new Set(['0x7ffe0000']));
  });
});
