/**
 * Where the kernel charges the pages a DMA context pins, by who serves it
 * (measured in e2e/kernel, without CAP_IPC_LOCK; the conformance suite checks
 * it in every mode):
 *  - type1: mm->locked_vm, seen as VmLck (vfio_lock_acct in vfio_iommu_type1.c);
 *  - iommufd native: mm->pinned_vm (VmPin), and by default against the user's
 *    RLIMIT_MEMLOCK budget (iopt_pages' IOPT_PAGES_ACCOUNT_USER);
 *  - iommufd's compat container: both, as it accounts like type1 for the mm
 *    and like iommufd for the pin (IOPT_PAGES_ACCOUNT_MM in iommufd_fops_open
 *    when opened as /dev/vfio/vfio).
 */
import type { IommuKind } from './dma-request.ts';

export interface PinCharge {
  /** VmLck (mm->locked_vm) grows by the bytes pinned */
  locked: boolean;
  /** VmPin (mm->pinned_vm) grows by the bytes pinned */
  pinned: boolean;
}

export function pinCharge(kind: IommuKind): PinCharge {
  if (kind === 'type1') return { locked: true, pinned: false };
  if (kind === 'iommufd') return { locked: false, pinned: true };
  return { locked: true, pinned: true };
}
