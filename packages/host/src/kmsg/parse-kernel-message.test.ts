import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKernelMessage } from './parse-kernel-message.ts';
import { parseKmsgRecord } from './parse-kmsg-record.ts';

// Lines copied verbatim from the real-kernel bed's guest console
// (e2e/kernel/.work/guest-6.12-type1/console.log, Linux 6.12, QEMU intel-iommu):
// edu DMA writes through a read-only mapping.
const bedLines = readFileSync(new URL('./bed-console.fixture.txt', import.meta.url), 'utf8')
  .trim()
  .split('\n');

describe('parseKernelMessage on the bed’s own lines', () => {
  it('reads an Intel DMAR fault: direction, address, reason, and the BDF with the implied domain 0000', () => {
    const line = bedLines.find((l) => l.includes('fault addr 0x101000'));
    expect(line).toBeDefined();
    expect(parseKernelMessage(line ?? '')).toEqual({
      kind: 'iommu-fault',
      text: line,
      iommu: 'intel',
      bdf: '0000:00:04.0',
      direction: 'write',
      address: '0x101000',
      reasonCode: 5,
      reason: 'PTE Write access is not set',
    });
  });

  it('ignores the DRHD status line that precedes each fault (it names no device)', () => {
    const drhd = bedLines.find((l) => l.includes('DRHD'));
    expect(drhd).toBe('DMAR: DRHD: handling fault status reg 2');
    expect(parseKernelMessage(drhd ?? '')).toBeUndefined();
  });

  it('reads the memlock refusal the bed’s type1 pin test provokes (issue 11 quotes it)', () => {
    expect(parseKernelMessage('vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded')).toEqual({
      kind: 'memlock-exceeded',
      text: 'vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded',
      limit: 16777216,
    });
  });
});

// The lines below are not in the bed's logs yet (the bed has no AMD IOMMU, no AER-capable
// port, no spurious IRQ); each is the kernel's format string from the source cited in
// parse-kernel-message.ts filled with plausible values.
describe('parseKernelMessage on the other formats', () => {
  it('reads the task from the accounting path’s memlock line', () => {
    const m = parseKernelMessage('vfio_lock_acct: Task qemu-system-x86 (4242) RLIMIT_MEMLOCK (67108864) exceeded');
    expect(m).toMatchObject({ kind: 'memlock-exceeded', comm: 'qemu-system-x86', pid: 4242, limit: 67108864 });
  });

  it('reads a DMA Read fault with a PASID', () => {
    const m = parseKernelMessage(
      'DMAR: [DMA Read PASID 0x1] Request device [3b:00.1] fault addr 0xfffe0000 [fault reason 0x06] PTE Read access is not set',
    );
    expect(m).toMatchObject({ direction: 'read', bdf: '0000:3b:00.1', address: '0xfffe0000', reasonCode: 6 });
  });

  it('reads AMD-Vi page faults with and without the device prefix; flags’ RW bit gives the direction', () => {
    expect(
      parseKernelMessage('AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:03:00.0 domain=0x000d address=0x7f000 flags=0x0020]'),
    ).toMatchObject({ kind: 'iommu-fault', iommu: 'amd', bdf: '0000:03:00.0', address: '0x7f000', direction: 'write' });
    expect(
      parseKernelMessage('vfio-pci 0000:0a:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0010 address=0x1000 flags=0x0000]'),
    ).toMatchObject({ bdf: '0000:0a:00.0', direction: 'read' });
    expect(
      parseKernelMessage('AMD-Vi: Event logged [IO_PAGE_FAULT device=03:00.0 domain=0x000d address=0x2000 flags=0x0010]'),
    ).toMatchObject({ bdf: '0000:03:00.0' });
  });

  it('reads the spurious-IRQ pair', () => {
    expect(parseKernelMessage('irq 16: nobody cared (try booting with the "irqpoll" option)')).toMatchObject({
      kind: 'irq-nobody-cared',
      irq: 16,
    });
    expect(parseKernelMessage('Disabling IRQ #16')).toMatchObject({ kind: 'irq-disabled', irq: 16 });
  });

  it('attaches AER errors to the source device, not the reporting port', () => {
    expect(parseKernelMessage('pcieport 0000:00:1c.0: AER: Corrected error received: 0000:03:00.0')).toMatchObject({
      kind: 'aer-error',
      bdf: '0000:03:00.0',
      severity: 'Corrected',
    });
    expect(parseKernelMessage('pcieport 0000:00:03.0: AER: Multiple Uncorrected (Non-Fatal) error received: [03:00.0]')).toMatchObject({
      bdf: '0000:03:00.0',
      severity: 'Multiple Uncorrected (Non-Fatal)',
    });
    expect(
      parseKernelMessage('vfio-pci 0000:03:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)'),
    ).toMatchObject({ bdf: '0000:03:00.0', severity: 'Uncorrected (Fatal)' });
  });

  it('reads ROM, BAR and reset trouble of a function', () => {
    expect(parseKernelMessage('vfio-pci 0000:01:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff')).toMatchObject({
      kind: 'rom-invalid',
      bdf: '0000:01:00.0',
    });
    expect(parseKernelMessage("vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xc0000000-0xc1ffffff 64bit pref]")).toMatchObject({
      kind: 'bar-reservation',
      bdf: '0000:01:00.0',
      bar: 3,
    });
    expect(parseKernelMessage('vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up')).toMatchObject({
      kind: 'reset',
      bdf: '0000:01:00.0',
    });
    expect(parseKernelMessage('vfio-pci 0000:01:00.0: vfio_bar_restore: reset recovery - restoring BARs')).toMatchObject({
      kind: 'reset',
    });
  });

  it('leaves ordinary lines alone', () => {
    expect(parseKernelMessage('vfio-pci 0000:00:04.0: enabling device (0000 -> 0002)')).toBeUndefined();
    expect(parseKernelMessage('Linux version 6.12.0')).toBeUndefined();
  });
});

describe('parseKmsgRecord', () => {
  it('splits the /dev/kmsg header, drops the dictionary lines and parses the text', () => {
    const r = parseKmsgRecord(
      '3,812,5123456,-;DMAR: [DMA Write NO_PASID] Request device [00:04.0] fault addr 0x101000 [fault reason 0x05] PTE Write access is not set\n SUBSYSTEM=pci\n',
    );
    expect(r).toMatchObject({ seq: 812, priority: 3, tsUsec: 5123456, message: { kind: 'iommu-fault', bdf: '0000:00:04.0' } });
    expect(r?.text.endsWith('is not set')).toBe(true);
  });

  it('undoes the \\xNN escaping of the text', () => {
    expect(parseKmsgRecord('6,1,2,-;a\\x09b')?.text).toBe('a\tb');
  });

  it('refuses a record without the header', () => {
    expect(parseKmsgRecord('no header here')).toBeUndefined();
  });
});

// /dev/kmsg records copied verbatim from the bed's 6.1 guest (e2e/kernel/live-vm.ts): a QEMU VM's
// edu reading from a guest-physical address the VM has no RAM at (three DMAs; the DRHD status
// line before each), then a second QEMU refused at start by RLIMIT_MEMLOCK 16 MiB for 32 MiB of RAM
const vmRecords = readFileSync(new URL('./bed-kmsg-vm.fixture.txt', import.meta.url), 'utf8')
  .trim()
  .split('\n');

describe('a real VM’s records from the bed’s /dev/kmsg', () => {
  it('reads three DMA read faults of 00:05.0 at consecutive pages, and the memlock refusal with its limit', () => {
    const records = vmRecords.map((r) => parseKmsgRecord(r));
    const messages = records.map((r) => r?.message).filter((m) => m !== undefined);
    expect(messages.map((m) => [m.kind, m.bdf, m.direction, m.address, m.reasonCode, m.limit])).toEqual([
      ['iommu-fault', '0000:00:05.0', 'read', '0xc000000', 6, undefined],
      ['iommu-fault', '0000:00:05.0', 'read', '0xc001000', 6, undefined],
      ['iommu-fault', '0000:00:05.0', 'read', '0xc002000', 6, undefined],
      ['memlock-exceeded', undefined, undefined, undefined, undefined, 16777216],
    ]);
    expect(messages[0]?.reason).toBe('PTE Read access is not set');
    expect(records.map((r) => r?.seq)).toEqual([465, 466, 467, 468, 469, 470, 473]);
  });
});

describe('device requests (an unbind waiting for the VFIO user)', () => {
  it('reads both of vfio_pci_core_request()’s lines as a device-request of the function', () => {
    for (const body of ['Relaying device request to user (#10)', 'No device request channel registered, blocked until released by user']) {
      const text = `vfio-pci 0000:00:04.0: ${body}`;
      expect(parseKernelMessage(text)).toEqual({ kind: 'device-request', text, bdf: '0000:00:04.0' });
    }
  });
});
