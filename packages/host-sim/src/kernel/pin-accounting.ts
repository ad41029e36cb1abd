/**
 * Who pays for pinned pages, as each IOMMU backend charges them (measured on
 * 6.12 without CAP_IPC_LOCK, research/iommufd-6.12.md):
 *
 *  - type1 (vfio_iommu_type1.c, vfio_lock_acct): mm->locked_vm (VmLck),
 *    checked against RLIMIT_MEMLOCK. Kept in type1.ts.
 *  - iommufd (pages.c, iopt_pages_update_pinned), by the iopt_pages'
 *    account mode:
 *     - 'user' (IOPT_PAGES_ACCOUNT_USER, the default of /dev/iommu):
 *       user->locked_vm, the uid's total over all its processes, checked
 *       against the mapping task's RLIMIT_MEMLOCK; VmLck is not touched;
 *     - 'mm' (IOPT_PAGES_ACCOUNT_MM, iommufd serving /dev/vfio/vfio):
 *       account_locked_vm() on the mm, VmLck, like type1;
 *    and in both modes mm->pinned_vm (VmPin) grows by the pages pinned.
 *
 * The sim has one user, vfioscope's: its per-user figure is this process's
 * iommufd pins. The scenario's VMs are taken to run as other users (as
 * libvirt's qemu user does), so their pages are not in that budget.
 *
 * iommufd pins in batches (pfn_reader: get_user_pages fills up to
 * TEMP_MEMORY_LIMIT, 64 KiB, of page pointers, then the batch is charged):
 * inside one batch an unmapped page (EFAULT) is found before the limit
 * (ENOMEM) is. Not measured; the bed decides.
 */
import type { VfioErrorContext } from '@vfioscope/host';
import type { PageBacking, ProcessAddressSpace } from './address-space.ts';
import { fail, hex } from './fail.ts';

export type IommufdAccountMode = 'user' | 'mm';

/** The user's struct user_struct: locked_vm shared by every process of the uid. */
export class SimUser {
  /** user->locked_vm, in pages */
  lockedPages = 0;
}

/** Where an iopt_pages charges its pins: the mapping process (source_mm / source_task) and its user. */
export interface PinAccount {
  space: ProcessAddressSpace;
  user: SimUser;
  mode: IommufdAccountMode;
}

/** get_user_pages() batch of pfn_reader: 64 KiB of struct page pointers */
export const PIN_BATCH_PAGES = 65536 / 8;

/** The pages behind [vaddr, vaddr + length): what pinning them yields. */
export interface PinnedPages {
  backing: PageBacking;
  /** offset of `vaddr` itself in the backing */
  offset: bigint;
  pages: number;
}

/** Pages the range [vaddr, vaddr + length) touches. */
export function pagesSpanned(vaddr: bigint, length: bigint, pageSize: number): number {
  const ps = BigInt(pageSize);
  const first = vaddr - (vaddr % ps);
  return Number((vaddr + length - first + ps - 1n) / ps);
}

/** Pin the user pages of an area and charge them (iopt_pages_fill + iopt_pages_update_pinned). */
export function pinUserPages(acct: PinAccount, vaddr: bigint, length: bigint, op: string, ctx: VfioErrorContext): PinnedPages {
  const { space, user, mode } = acct;
  const ps = BigInt(space.pageSize);
  const first = vaddr - (vaddr % ps);
  const pages = pagesSpanned(vaddr, length, space.pageSize);
  const mapped = space.mappedPrefixPages(first, pages);
  const charged = mode === 'user' ? user.lockedPages : space.lockedPages;
  const room = Math.max(0, space.lockLimitPages - charged);
  if (mapped < pages || room < pages) {
    const faultBatch = mapped < pages ? Math.floor(mapped / PIN_BATCH_PAGES) : Infinity;
    const limitBatch = room < pages ? Math.floor(room / PIN_BATCH_PAGES) : Infinity;
    if (faultBatch <= limitBatch) {
      fail('EFAULT', op, `vaddr ${hex(first + BigInt(mapped) * ps)} is not mapped memory of this process`, { ...ctx, field: 'vaddr' });
    }
    const who = mode === 'user' ? "the user's locked memory (iommufd charges per user)" : 'locked memory (VmLck)';
    fail(
      'ENOMEM',
      op,
      `pinning ${pages} pages exceeds RLIMIT_MEMLOCK (${space.memlockLimit} bytes) on ${who}: ${charged} pages already`,
      ctx,
    );
  }
  const at = space.resolve(vaddr)!;
  chargePinned(acct, pages);
  return { ...at, pages };
}

function chargePinned(acct: PinAccount, pages: number): void {
  if (acct.mode === 'user') acct.user.lockedPages += pages;
  else acct.space.lockedPages += pages;
  acct.space.pinnedPages += pages;
}

/** Unpin: iopt_pages_update_pinned(…, inc = false). */
export function unpinUserPages(acct: PinAccount, pages: number): void {
  if (acct.mode === 'user') acct.user.lockedPages -= pages;
  else acct.space.lockedPages -= pages;
  acct.space.pinnedPages -= pages;
}
