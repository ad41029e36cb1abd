/**
 * A kernel log message that matters for VFIO, parsed into what it names.
 *
 * The text is the kernel's own (printk), kept verbatim in `text`; the fields
 * are what the parser could read out of it. `bdf` is always the full
 * domain-qualified form (0000:00:04.0) even where the kernel printed it
 * without a domain (Intel DMAR faults print bus:dev.fn only).
 */
export type KernelMessageKind =
  | 'iommu-fault'
  | 'memlock-exceeded'
  | 'irq-nobody-cared'
  | 'irq-disabled'
  | 'aer-error'
  | 'reset'
  | 'rom-invalid'
  | 'bar-reservation'
  /** the kernel asks the device's VFIO user to release it: an unbind or hot-unplug waits */
  | 'device-request';

export interface KernelMessage {
  kind: KernelMessageKind;
  /** the message text as the kernel wrote it (no timestamp, no `pri,seq,…;` prefix) */
  text: string;
  /** the PCI function the message is about, domain-qualified */
  bdf?: string;
  /** the host IRQ number (irq-nobody-cared, irq-disabled) */
  irq?: number;
  /** the task the message names (memlock-exceeded through mm_lock_acct/vfio_lock_acct) */
  pid?: number;
  comm?: string;
  /** iommu-fault: which IOMMU reported it */
  iommu?: 'intel' | 'amd';
  /** iommu-fault: the device's DMA direction (Intel prints it; AMD's flags carry it in the RW bit) */
  direction?: 'read' | 'write';
  /** iommu-fault: the IO virtual address the device used, as printed (hex) */
  address?: string;
  /** iommu-fault (Intel): the VT-d fault reason code and its text */
  reason?: string;
  reasonCode?: number;
  /** memlock-exceeded: RLIMIT_MEMLOCK in bytes, as printed */
  limit?: number;
  /** aer-error: Corrected / Uncorrected (Non-Fatal) / Uncorrected (Fatal) … as printed */
  severity?: string;
  /** bar-reservation: the BAR index */
  bar?: number;
}

/** One record of the kernel log as /dev/kmsg gives it (kernel/printk/printk.c devkmsg_read). */
export interface KernelLogRecord {
  /** the record's sequence number: monotonic, gaps mean records were overwritten */
  seq: number;
  /** syslog priority: facility << 3 | level (level 0 emerg … 7 debug) */
  priority: number;
  /** microseconds since boot (CLOCK_MONOTONIC of the printk) */
  tsUsec: number;
  text: string;
  /** the parsed message, when the text is one vfioscope knows */
  message?: KernelMessage;
}

/** What Host.kernelLog returns: records after `afterSeq` and where to continue, or why it cannot read. */
export type KernelLogRead =
  | { ok: true; records: KernelLogRecord[]; nextSeq: number; lost: number }
  | { ok: false; errno: string; reason: string };
