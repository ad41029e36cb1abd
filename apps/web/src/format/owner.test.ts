import { describe, expect, it } from 'vitest';
import { lockedLabel, memoryBudget, ownerLabel, processLabel, processName } from './owner.ts';
import { formatBytesOf } from './units.ts';

const GiB = 1024 ** 3;
const vm = { pid: 4242, comm: 'qemu-system-x86', vm: 'win11-cad' };
const dpdk = { pid: 900, comm: 'dpdk-testpmd', vm: null };

describe('owner names', () => {
  it('names a VM by its guest name, any other process by its command, pid second', () => {
    expect(processName(vm)).toBe('win11-cad');
    expect(processLabel(vm)).toBe('win11-cad · pid 4242');
    expect(processLabel(dpdk)).toBe('dpdk-testpmd · pid 900');
    expect(processLabel({ pid: 1, comm: 'x' })).toBe('x · pid 1');
  });

  it('calls an owner-less vector or alert vfioscope (an eventfd it wired)', () => {
    expect(ownerLabel(null)).toBe('vfioscope');
    expect(ownerLabel(vm)).toBe('win11-cad · pid 4242');
  });

  it('puts locked memory against its limit in one unit', () => {
    expect(lockedLabel(32 * GiB, 33 * GiB)).toBe('32 / 33 GiB locked (97 %)');
    expect(lockedLabel(8 * GiB, null)).toBe('8 GiB locked (no limit)');
    // the budget is VmLck for a group holder (type1), VmPin for a cdev holder (iommufd, per user)
    const vm = { lockedBytes: 32 * GiB, pinnedBytes: 4 * GiB, memlockLimit: 33 * GiB };
    expect(memoryBudget({ ...vm, via: 'group' })).toBe('32 / 33 GiB locked (97 %)');
    expect(memoryBudget({ ...vm, via: 'cdev' })).toBe('4 / 33 GiB pinned (VmPin, per user) (12 %)');
    expect(lockedLabel(1024, 64 * 1024 ** 2)).toBe('0.00 / 64 MiB locked (<1 %)');
    expect(formatBytesOf(0, 64 * 1024 ** 2)).toBe('0 / 64 MiB');
  });
});
