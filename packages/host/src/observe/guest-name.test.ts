import { describe, expect, it } from 'vitest';
import { guestName } from './guest-name.ts';

describe('guestName', () => {
  it('reads libvirt-style and plain -name options', () => {
    expect(guestName('/usr/bin/qemu-system-x86_64 -name guest=win11-cad,debug-threads=on -S -machine q35')).toBe('win11-cad');
    expect(guestName('qemu-system-x86_64 -machine q35 -name nfv-router-2 -m 8G')).toBe('nfv-router-2');
    expect(guestName('qemu-system-x86_64 -name debug-threads=on,guest=db,,primary')).toBe('db,primary');
    expect(guestName('qemu-system-x86_64 -name a,,b,process=qemu:x')).toBe('a,b');
  });

  it('is null without a name, or for processes that are not VMs', () => {
    expect(guestName('qemu-system-x86_64 -m 64M -S')).toBeNull();
    expect(guestName('qemu-system-x86_64 -name debug-threads=on')).toBeNull();
    expect(guestName('/usr/bin/dpdk-testpmd -l 0-3 -- -i')).toBeNull();
    expect(guestName('')).toBeNull();
  });
});
