/**
 * Turns one kernel log line into a KernelMessage when it is one vfioscope
 * attaches to a device, IRQ or task. Pure: the linux backend feeds it
 * /dev/kmsg text, the sim feeds it the lines its kernel model prints.
 *
 * Each pattern cites the printk that writes it; the kernel's wording is the
 * contract, so a pattern that stops matching is a kernel change to look at.
 */
import type { KernelMessage } from './kernel-record.ts';

const HEX = '[0-9a-fA-F]';
/** dev_printk's prefix: "<driver> <domain:bus:dev.fn>: " (drivers/base/core.c __dev_printk) */
const DEV_PREFIX = new RegExp(`^(\\S+) (${HEX}{4}:${HEX}{2}:${HEX}{2}\\.[0-7]): (.*)$`);

/** bus:dev.fn or domain:bus:dev.fn → domain-qualified, lower case */
export function fullBdf(s: string): string {
  const b = s.toLowerCase();
  return /^[0-9a-f]{4}:/.test(b) && b.length === 12 ? b : `0000:${b}`;
}

/**
 * drivers/iommu/intel/dmar.c dmar_fault_do_one():
 *   "[%s NO_PASID] Request device [%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s"
 * (with a PASID: "[%s PASID 0x%x] …"). The segment is not printed; vfioscope's hosts have one.
 */
const DMAR_FAULT =
  /DMAR: \[DMA (Read|Write)[^\]]*\] Request device \[([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\] fault addr (0x[0-9a-f]+) \[fault reason (0x[0-9a-f]+)\] ?(.*)$/i;

/**
 * drivers/iommu/amd/iommu.c amd_iommu_report_page_fault(): with the device known,
 * dev_err "Event logged [IO_PAGE_FAULT domain=… address=0x… flags=0x…]"; without,
 * "AMD-Vi: Event logged [IO_PAGE_FAULT device=%04x:%02x:%02x.%x domain=… address=… flags=…]"
 * (older kernels: device=%02x:%02x.%x).
 */
const AMD_FAULT = /Event logged \[IO_PAGE_FAULT (?:device=([0-9a-f:.]+) )?[^\]]*?address=(0x[0-9a-f]+)(?: flags=(0x[0-9a-f]+))?/i;
/** drivers/iommu/amd/amd_iommu_types.h EVENT_FLAG_RW: set for a write */
const AMD_EVENT_FLAG_RW = 0x020;

/**
 * drivers/vfio/vfio_iommu_type1.c vfio_pin_pages_remote():
 *   pr_warn("%s: RLIMIT_MEMLOCK (%ld) exceeded\n", __func__, limit)
 * and the accounting path (mm_lock_acct / vfio_lock_acct):
 *   pr_warn("%s: Task %s (%d) RLIMIT_MEMLOCK (%ld) exceeded\n", __func__, comm, pid, limit)
 */
const MEMLOCK = /^(\w+): (?:Task (.+) \((\d+)\) )?RLIMIT_MEMLOCK \((\d+)\) exceeded/;

/** kernel/irq/spurious.c __report_bad_irq(): "irq %d: nobody cared (try booting with …)" */
const NOBODY_CARED = /^irq (\d+): nobody cared/;
/** kernel/irq/spurious.c note_interrupt(): "Disabling IRQ #%d" */
const IRQ_DISABLED = /^Disabling IRQ #(\d+)/;

/**
 * drivers/pci/pcie/aer.c: the root port logs "AER: <severity> error received: <bdf>"
 * (aer_print_port_info; older kernels "… error message received from …" / "… id=…"),
 * and the source device "PCIe Bus Error: severity=<s>, type=…" (aer_print_error).
 */
const AER_RECEIVED =
  /AER: (Multiple )?(Corrected|Correctable|Uncorrected \([^)]*\)|Uncorrectable \([^)]*\)|Uncorrected|Uncorrectable) error (?:message )?received(?: from)?:? \[?((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\]?/i;
const AER_BUS_ERROR = /PCIe Bus Error: severity=([^,]+)/;

/** drivers/pci/rom.c pci_get_rom_size(): "Invalid PCI ROM header signature: expecting 0xaa55, got %#06x" */
const ROM_INVALID = /Invalid PCI ROM (?:header signature|data signature)/;

/**
 * drivers/pci/pci.c __pci_request_region(): "BAR %d: can't reserve %pR";
 * drivers/pci/setup-res.c: "BAR %d: no space for …" / "BAR %d: failed to assign …" /
 * "BAR %d: can't claim …" (6.8+: "BAR %d %pR: can't claim …").
 */
const BAR_ERROR = /BAR (\d+)(?: \[[^\]]*\])?: (can't reserve|can't claim|can't assign|no space for|failed to assign)/;

/**
 * Reset messages about a function: drivers/pci/pci.c pci_dev_wait() "not ready %dms after %s; giving up",
 * pcie_flr() "timed out waiting for pending transaction; performing function level reset anyway",
 * drivers/vfio/pci/vfio_pci_config.c vfio_bar_restore() "%s: reset recovery - restoring BARs",
 * drivers/vfio/pci/vfio_pci_core.c "… reset …" failures.
 */
const RESET =
  /(not ready \d+ms after (?:FLR|PM D3hot->D0|bus reset|[^;]+); giving up|timed out waiting for pending transaction|reset recovery - restoring BARs|(?:reset|Reset) (?:failed|timed out)|Unable to change power state)/;

/**
 * drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_request(), called while an unbind or hot-unplug
 * waits in vfio_unregister_group_dev() for the device to be released: with the REQ eventfd wired
 * "Relaying device request to user (#%u)" (every tenth request), without it, once,
 * "No device request channel registered, blocked until released by user".
 */
const DEVICE_REQUEST = /^(Relaying device request to user \(#\d+\)|No device request channel registered, blocked until released by user)/;

export function parseKernelMessage(text: string): KernelMessage | undefined {
  const dev = DEV_PREFIX.exec(text);
  const devBdf = dev?.[2]?.toLowerCase();
  const body = dev?.[3] ?? text;

  const dmar = DMAR_FAULT.exec(text);
  if (dmar) {
    const [, dir, bdf, address, code, reason] = dmar;
    return {
      kind: 'iommu-fault',
      text,
      iommu: 'intel',
      bdf: fullBdf(bdf ?? ''),
      direction: dir?.toLowerCase() === 'read' ? 'read' : 'write',
      address: (address ?? '').toLowerCase(),
      reasonCode: Number.parseInt(code ?? '0', 16),
      ...(reason ? { reason: reason.trim() } : {}),
    };
  }
  const amd = AMD_FAULT.exec(text);
  if (amd) {
    const [, device, address, flags] = amd;
    const bdf = device ? fullBdf(device) : devBdf;
    const msg: KernelMessage = { kind: 'iommu-fault', text, iommu: 'amd', address: (address ?? '').toLowerCase() };
    if (bdf) msg.bdf = bdf;
    if (flags) msg.direction = Number.parseInt(flags, 16) & AMD_EVENT_FLAG_RW ? 'write' : 'read';
    return msg;
  }
  const memlock = MEMLOCK.exec(body);
  if (memlock) {
    const [, , comm, pid, limit] = memlock;
    const msg: KernelMessage = { kind: 'memlock-exceeded', text, limit: Number(limit) };
    if (comm !== undefined) msg.comm = comm;
    if (pid !== undefined) msg.pid = Number(pid);
    return msg;
  }
  const cared = NOBODY_CARED.exec(body);
  if (cared) return { kind: 'irq-nobody-cared', text, irq: Number(cared[1]) };
  const disabled = IRQ_DISABLED.exec(body);
  if (disabled) return { kind: 'irq-disabled', text, irq: Number(disabled[1]) };

  const aer = AER_RECEIVED.exec(body);
  if (aer) {
    return { kind: 'aer-error', text, bdf: fullBdf(aer[3] ?? ''), severity: `${aer[1] ?? ''}${aer[2] ?? ''}` };
  }
  const busError = AER_BUS_ERROR.exec(body);
  if (busError && devBdf) return { kind: 'aer-error', text, bdf: devBdf, severity: busError[1]?.trim() ?? '' };

  if (!devBdf) return undefined;
  if (ROM_INVALID.test(body)) return { kind: 'rom-invalid', text, bdf: devBdf };
  const bar = BAR_ERROR.exec(body);
  if (bar) return { kind: 'bar-reservation', text, bdf: devBdf, bar: Number(bar[1]) };
  if (RESET.test(body)) return { kind: 'reset', text, bdf: devBdf };
  if (DEVICE_REQUEST.test(body)) return { kind: 'device-request', text, bdf: devBdf };
  return undefined;
}
