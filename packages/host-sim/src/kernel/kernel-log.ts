/**
 * The sim kernel's printk ring: what /dev/kmsg reads on a real host.
 * Records get consecutive sequence numbers; the ring keeps the newest
 * `capacity` and a reader that falls behind learns how many it lost, as
 * devkmsg_read's EPIPE tells (kernel/printk/printk.c). Device models and the
 * VFIO core print the kernel's own text where the kernel would, and the same
 * parser (@vfioscope/host parseKernelMessage) reads it back.
 */
import { type KernelLogRead, type KernelLogRecord, parseKernelMessage } from '@vfioscope/host';
import type { SimClock } from './clock.ts';

/** syslog levels (include/linux/kern_levels.h) */
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
/** syslog facility of lines user space writes to /dev/kmsg (include/linux/syslog.h: kernel is 0) */
export const LOG_USER = 1;

export class SimKernelLog {
  private readonly ring: KernelLogRecord[] = [];
  private nextSeq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly capacity = 4096,
  ) {}

  printk(level: number, text: string): void {
    this.append(level, text);
  }

  /**
   * A line user space writes to /dev/kmsg (`echo "…" > /dev/kmsg`, `logger --kmsg`): devkmsg_write()
   * logs it with facility LOG_USER, never as the kernel's (kernel/printk/printk.c)
   */
  devkmsgWrite(text: string, level = KERN_NOTICE): void {
    this.append((LOG_USER << 3) | level, text);
  }

  private append(priority: number, text: string): void {
    const record: KernelLogRecord = {
      seq: this.nextSeq++,
      priority,
      tsUsec: Math.round(this.clock.now() * 1000),
      text,
    };
    const message = parseKernelMessage(text);
    if (message) record.message = message;
    this.ring.push(record);
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  read(afterSeq: number, max = 2000): KernelLogRead {
    const oldest = this.ring[0]?.seq ?? this.nextSeq;
    const lost = Math.max(0, oldest - (afterSeq + 1));
    const from = Math.max(0, afterSeq + 1 - oldest);
    const records = this.ring.slice(from, from + max);
    const last = records[records.length - 1];
    return { ok: true, records, nextSeq: last ? last.seq : Math.max(afterSeq, oldest - 1), lost };
  }
}

/**
 * The line drivers/iommu/intel/dmar.c dmar_fault_do_one() prints for a DMA
 * the IOMMU refused: the recorded address is the page (VT-d fault recording
 * registers hold the page address), the source id is bus:dev.fn without the
 * segment, and an unmapped page is a not-present PTE — reason 0x05 for a write,
 * 0x06 for a read (dmar.c dma_remap_fault_reasons).
 */
export function dmarFaultLine(bdf: string, iova: bigint, write: boolean): string {
  const page = iova & ~0xfffn;
  const reason = write ? '[fault reason 0x05] PTE Write access is not set' : '[fault reason 0x06] PTE Read access is not set';
  return `DMAR: [DMA ${write ? 'Write' : 'Read'} NO_PASID] Request device [${bdf.slice(5)}] fault addr 0x${page.toString(16)} ${reason}`;
}

/** drivers/vfio/vfio_iommu_type1.c vfio_pin_pages_remote(): the limit in bytes */
export function memlockExceededLine(limitBytes: number): string {
  return `vfio_pin_pages_remote: RLIMIT_MEMLOCK (${limitBytes}) exceeded`;
}

/**
 * drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_request() on the first request of an unbind
 * (pci_notice / pci_warn: "<driver> <bdf>: …")
 */
export function deviceRequestLine(bdf: string, relayed: boolean): string {
  return relayed
    ? `vfio-pci ${bdf}: Relaying device request to user (#0)`
    : `vfio-pci ${bdf}: No device request channel registered, blocked until released by user`;
}
