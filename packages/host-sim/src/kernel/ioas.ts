/**
 * An IOAS's io_pagetable (drivers/iommu/iommufd/io_pagetable.c, Linux 6.12):
 * the IOVA → user memory areas of one I/O address space, the reserved IOVA
 * ranges (each attached device's MSI window, and everything outside the
 * aperture of each IOMMU domain), the domains (HWPTs) that hold its pages,
 * and the IOVA alignment they impose. Both iommufd's own ioctls
 * (IOMMU_IOAS_MAP / UNMAP / IOVA_RANGES, here) and its VFIO compat container
 * (compat-container.ts) work on it. Checks run in the kernel's order, so the
 * first failing rule decides the errno.
 *
 * What differs from type1 (type1.ts), all from the source and most measured:
 *  - an IOAS with no domain is a software table: no alignment (1), no
 *    reserved ranges (the whole 64-bit space), and no pages pinned — pinning
 *    happens when the first domain is added (a device attached) or, with a
 *    domain present, at map time;
 *  - no limit on the number of mappings;
 *  - unmap never splits an area: an area crossing either end of the range is
 *    ENOENT, after the areas wholly inside it before that one were unmapped.
 */
import { DmaMappingTable, type DmaMapping, type IoasMapRequest, type IovaRange, type VfioErrorContext } from '@vfioscope/host';
import { IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE } from '@vfioscope/uapi';
import { fail, hex } from './fail.ts';
import { type PinAccount, type PinnedPages, pagesSpanned, pinUserPages, unpinUserPages } from './pin-accounting.ts';
import { U64_MAX, isU64 } from './type1-rules.ts';

/** An iommu_domain as iommufd sees it: the page sizes it maps and its aperture. */
export interface IommuDomain {
  pgsizeBitmap: bigint;
  aperture: IovaRange;
}

export interface AreaData {
  /** where the iopt_pages charges its pins */
  account: PinAccount;
  /** the pinned pages while a domain holds them */
  pinned: PinnedPages | null;
}

/** An iopt_area: `flags` are IOMMU_IOAS_MAP_READABLE / WRITEABLE, `pages` the user pages it spans. */
export type IoasArea = DmaMapping<AreaData>;

interface Reserved {
  start: bigint;
  last: bigint;
  /** the device or domain that reserved it */
  owner: object;
}

const PROT_MASK = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
/** the CPU page: iopt_pages work in PAGE_SIZE units */
const PAGE = 0x1000n;
/** SIZE_MAX - PAGE_SIZE: iopt_alloc_pages' bound on a length */
const MAX_LENGTH = U64_MAX - PAGE;

const lowestPage = (bitmap: bigint): bigint => bitmap & -bitmap;
const maxBig = (a: bigint, b: bigint): bigint => (a < b ? b : a);

export class IoPagetable {
  readonly areas = new DmaMappingTable<AreaData>();
  private reserved: Reserved[] = [];
  private readonly domains: IommuDomain[] = [];
  /** iopt->iova_alignment */
  iovaAlignment = 1n;
  /** VFIO type1 (v1) emulation by the compat container: areas may be cut */
  disableLargePages = false;

  get domainCount(): number {
    return this.domains.length;
  }

  /** The lowest page size every domain maps (iommufd_get_pagesizes' input); null without a domain. */
  domainPgsizes(): bigint | null {
    if (!this.domains.length) return null;
    return this.domains.reduce((acc, d) => acc & d.pgsizeBitmap, U64_MAX);
  }

  /** iopt_map_user_pages() at a fixed IOVA: iopt_alloc_pages, iopt_alloc_area_pages, then the domains are filled. */
  mapUser(iova: bigint, length: bigint, vaddr: bigint, prot: number, account: PinAccount, op: string, ctx: VfioErrorContext): void {
    if (length === 0n || length > MAX_LENGTH) fail('EINVAL', op, `length ${hex(length)} is 0 or too large`, { ...ctx, field: 'size' });
    if (vaddr + length > U64_MAX) fail('EOVERFLOW', op, `vaddr ${hex(vaddr)} + ${hex(length)} wraps`, { ...ctx, field: 'vaddr' });
    const a = this.iovaAlignment;
    if (length & (a - 1n)) fail('EINVAL', op, `length ${hex(length)} is not aligned to ${hex(a)}`, { ...ctx, field: 'size' });
    if (iova & (a - 1n)) fail('EINVAL', op, `iova ${hex(iova)} is not aligned to ${hex(a)}`, { ...ctx, field: 'iova' });
    const last = iova + length - 1n;
    if (last > U64_MAX) fail('EOVERFLOW', op, `${hex(iova)} + ${hex(length)} wraps past 2^64`, { ...ctx, field: 'size' });
    const resv = this.reservedIn(iova, last);
    if (resv) fail('EINVAL', op, `${hex(iova)}–${hex(last)} meets the reserved IOVA range ${hex(resv.start)}–${hex(resv.last)}`, ctx);
    const clash = this.areas.firstOverlap(iova, length);
    if (clash) fail('EEXIST', op, `${hex(iova)}+${hex(length)} overlaps the mapping at ${hex(clash.iova)}+${hex(clash.size)}`, ctx);
    if ((vaddr % PAGE) & (a - 1n)) fail('EINVAL', op, `vaddr ${hex(vaddr)} is not aligned to ${hex(a)} within its page`, ctx);
    const pinned = this.domains.length ? fillDomain(account, vaddr, length, prot, op, ctx) : null;
    const pages = pagesSpanned(vaddr, length, account.space.pageSize);
    this.areas.insert({ iova, size: length, vaddr, flags: prot & PROT_MASK, pages, data: { account, pinned } });
  }

  /** iopt_unmap_iova_range(): unmaps whole areas in order; an area crossing an edge stops it with ENOENT. */
  unmapRange(start: bigint, last: bigint, op: string, ctx: VfioErrorContext): bigint {
    let bytes = 0n;
    for (;;) {
      const a = this.areas.firstOverlap(start, last - start + 1n);
      if (!a) return bytes;
      if (a.iova < start || a.iova + a.size - 1n > last) {
        fail('ENOENT', op, `the mapping ${hex(a.iova)}+${hex(a.size)} crosses the edge of ${hex(start)}–${hex(last)}`, {
          ...ctx,
          unmappedBefore: bytes.toString(),
        });
      }
      this.removeArea(a);
      bytes += a.size;
    }
  }

  /** iopt_unmap_all(): an empty table unmaps 0 bytes and succeeds */
  unmapAll(): bigint {
    let bytes = 0n;
    for (const a of this.areas.all()) {
      this.removeArea(a);
      bytes += a.size;
    }
    return bytes;
  }

  private removeArea(a: IoasArea): void {
    this.areas.remove(a.iova);
    if (a.data?.pinned) unpinUserPages(a.data.account, a.data.pinned.pages);
  }

  /** iopt_cut_iova(): the compat container's TYPE1 (v1) emulation cuts areas so an unmap may take part of one */
  cut(points: bigint[], op: string, ctx: VfioErrorContext): void {
    for (const p of points) {
      const a = this.areas.find(p);
      if (!a) continue;
      const aLast = a.iova + a.size - 1n;
      if (p === a.iova || p === aLast) continue;
      const newStart = p + 1n;
      const align = this.iovaAlignment - 1n;
      const startByte = (a.vaddr % PAGE) + (newStart - a.iova);
      if (newStart & align || startByte & align) fail('EINVAL', op, `cannot cut the mapping at ${hex(a.iova)} at ${hex(newStart)}`, ctx);
      if (a.data!.pinned && !this.disableLargePages) fail('EINVAL', op, 'a mapping held by a domain with large pages cannot be cut', ctx);
      this.areas.remove(a.iova);
      const lhsLen = newStart - a.iova;
      const ps = a.data!.account.space.pageSize;
      const lhsPages = pagesSpanned(a.vaddr, lhsLen, ps);
      const rhsPages = a.pages - lhsPages;
      const pinned = a.data!.pinned;
      const split = (at: bigint, len: bigint, vaddr: bigint, pages: number): IoasArea => ({
        iova: at,
        size: len,
        vaddr,
        flags: a.flags,
        pages,
        data: {
          account: a.data!.account,
          pinned: pinned ? { backing: pinned.backing, offset: pinned.offset + (at - a.iova), pages } : null,
        },
      });
      this.areas.insert(split(a.iova, lhsLen, a.vaddr, lhsPages));
      this.areas.insert(split(newStart, aLast - newStart + 1n, a.vaddr + lhsLen, rhsPages));
    }
  }

  /** iopt_reserve_iova(): EADDRINUSE when an area is already there */
  reserve(start: bigint, last: bigint, owner: object, op: string, ctx: VfioErrorContext): void {
    const a = this.areas.firstOverlap(start, last - start + 1n);
    if (a)
      fail(
        'EADDRINUSE',
        op,
        `the mapping at ${hex(a.iova)}+${hex(a.size)} lies in ${hex(start)}–${hex(last)}, which must be reserved`,
        ctx,
      );
    this.reserved.push({ start, last, owner });
  }

  removeReserved(owner: object): void {
    this.reserved = this.reserved.filter((r) => r.owner !== owner);
  }

  private reservedIn(start: bigint, last: bigint): Reserved | undefined {
    return this.reserved.find((r) => r.start <= last && r.last >= start);
  }

  /** The holes between reserved ranges: IOMMU_IOAS_IOVA_RANGES (no IOMMU_IOAS_ALLOW_IOVAS in the sim). */
  allowedRanges(): IovaRange[] {
    const sorted = [...this.reserved].sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
    const out: IovaRange[] = [];
    let next = 0n;
    for (const r of sorted) {
      if (r.start > next) out.push({ start: next, end: r.start - 1n });
      if (r.last + 1n > next) next = r.last + 1n;
    }
    if (next <= U64_MAX) out.push({ start: next, end: U64_MAX });
    return out;
  }

  /** iopt_table_add_domain(): the alignment it needs, its aperture reserved, then every area pinned into it. */
  addDomain(domain: IommuDomain, op: string, ctx: VfioErrorContext): void {
    const align = maxBig(lowestPage(domain.pgsizeBitmap), this.iovaAlignment);
    if (align !== this.iovaAlignment) this.checkAlignment(align, op, ctx);
    try {
      if (domain.aperture.start !== 0n) this.reserve(0n, domain.aperture.start - 1n, domain, op, ctx);
      if (domain.aperture.end !== U64_MAX) this.reserve(domain.aperture.end + 1n, U64_MAX, domain, op, ctx);
      if (!this.domains.length) this.fill(op, ctx);
    } catch (e) {
      this.removeReserved(domain);
      throw e;
    }
    this.iovaAlignment = align;
    this.domains.push(domain);
  }

  /** iopt_table_remove_domain(): the last domain out unpins every area; alignment and reservations follow */
  removeDomain(domain: IommuDomain): void {
    const i = this.domains.indexOf(domain);
    if (i < 0) return;
    this.domains.splice(i, 1);
    if (!this.domains.length) {
      for (const a of this.areas.all()) {
        if (!a.data?.pinned) continue;
        unpinUserPages(a.data.account, a.data.pinned.pages);
        a.data.pinned = null;
      }
    }
    this.removeReserved(domain);
    this.iovaAlignment = this.neededAlignment();
  }

  /** iopt_disable_large_pages(): refused once a domain holds pages */
  setDisableLargePages(op: string, ctx: VfioErrorContext): void {
    if (this.disableLargePages) return;
    if (this.domains.length && this.areas.size) fail('EINVAL', op, 'a domain already has pages mapped with large pages allowed', ctx);
    const align = this.neededAlignment(true);
    if (align > this.iovaAlignment) this.checkAlignment(align, op, ctx);
    this.disableLargePages = true;
    this.iovaAlignment = align;
  }

  private neededAlignment(disableLarge = this.disableLargePages): bigint {
    let a = disableLarge ? PAGE : 1n;
    for (const d of this.domains) a = maxBig(a, lowestPage(d.pgsizeBitmap));
    return a;
  }

  /** iopt_check_iova_alignment(): every area must already conform */
  private checkAlignment(align: bigint, op: string, ctx: VfioErrorContext): void {
    const m = align - 1n;
    const bad = this.areas.all().find((a) => a.iova & m || a.size & m || (a.vaddr % PAGE) & m);
    if (bad) fail('EADDRINUSE', op, `the mapping at ${hex(bad.iova)}+${hex(bad.size)} is not aligned to ${hex(align)}`, ctx);
  }

  /** iopt_fill_domain(): pin every area; on failure the ones pinned are let go */
  private fill(op: string, ctx: VfioErrorContext): void {
    const done: IoasArea[] = [];
    try {
      for (const a of this.areas.all()) {
        a.data!.pinned = fillDomain(a.data!.account, a.vaddr, a.size, a.flags, op, ctx);
        done.push(a);
      }
    } catch (e) {
      for (const a of done) {
        unpinUserPages(a.data!.account, a.data!.pinned!.pages);
        a.data!.pinned = null;
      }
      throw e;
    }
  }

  /** A device's DMA through a domain of this IOAS: WRITEABLE for device writes, READABLE for reads; else a DMAR fault. */
  translate(iova: bigint, length: number, deviceWrites: boolean): { backing: PinnedPages['backing']; offset: bigint; n: number }[] {
    const need = deviceWrites ? IOMMU_IOAS_MAP_WRITEABLE : IOMMU_IOAS_MAP_READABLE;
    const out: { backing: PinnedPages['backing']; offset: bigint; n: number }[] = [];
    let done = 0;
    while (done < length) {
      const at = iova + BigInt(done);
      const a = this.areas.find(at);
      if (!a?.data?.pinned) fail('EFAULT', 'DMA', `DMAR fault: IOVA ${hex(at)} is not mapped`, { field: 'iova' });
      if (!(a.flags & need))
        fail('EFAULT', 'DMA', `DMAR fault: IOVA ${hex(at)} is not mapped for device ${deviceWrites ? 'write' : 'read'}`);
      const n = Math.min(length - done, Number(a.iova + a.size - at));
      out.push({ backing: a.data.pinned.backing, offset: a.data.pinned.offset + (at - a.iova), n });
      done += n;
    }
    return out;
  }
}

/**
 * Pin an area's pages and map them into a domain. intel-iommu's
 * __domain_mapping() refuses a mapping with neither READ nor WRITE (EINVAL):
 * only the compat container lets one through to here.
 */
function fillDomain(account: PinAccount, vaddr: bigint, length: bigint, prot: number, op: string, ctx: VfioErrorContext): PinnedPages {
  const pinned = pinUserPages(account, vaddr, length, op, ctx);
  if (!(prot & PROT_MASK)) {
    unpinUserPages(account, pinned.pages);
    fail('EINVAL', op, 'the IOMMU maps nothing without READ or WRITE permission', { ...ctx, field: 'flags' });
  }
  return pinned;
}

// ---- iommufd's own ioctls on an IOAS (ioas.c) ----

/** IOMMU_IOAS_MAP: flags, then the 64-bit bounds, then R/W, then the IOAS (`lookup`: ENOENT), then the io_pagetable. */
export function ioasMap(lookup: () => IoPagetable, req: IoasMapRequest, account: PinAccount, ctx: VfioErrorContext): void {
  const op = 'IOMMU_IOAS_MAP';
  const known = IOMMU_IOAS_MAP_FIXED_IOVA | PROT_MASK;
  if (!Number.isInteger(req.flags) || req.flags < 0 || req.flags & ~known)
    fail('EOPNOTSUPP', op, `unknown flags ${hex(req.flags)}`, { ...ctx, field: 'flags' });
  if (!isU64(req.iova) || !isU64(req.size) || !isU64(req.vaddr)) fail('EINVAL', op, 'iova, length and user_va are 64-bit unsigned', ctx);
  if (req.iova >= U64_MAX || req.size >= U64_MAX) fail('EOVERFLOW', op, 'iova and length must be below 2^64 - 1', ctx);
  if (!(req.flags & PROT_MASK)) fail('EINVAL', op, 'READABLE and/or WRITEABLE is required', { ...ctx, field: 'flags' });
  lookup().mapUser(req.iova, req.size, req.vaddr, req.flags, account, op, ctx);
}

/** IOMMU_IOAS_UNMAP: (0, 2^64-1) is everything; otherwise an exact cover of whole areas, and at least one. */
export function ioasUnmap(lookup: () => IoPagetable, iova: bigint, length: bigint, ctx: VfioErrorContext): bigint {
  const op = 'IOMMU_IOAS_UNMAP';
  const iopt = lookup();
  if (!isU64(iova) || !isU64(length)) fail('EINVAL', op, 'iova and length are 64-bit unsigned', ctx);
  if (iova === 0n && length === U64_MAX) return iopt.unmapAll();
  if (iova >= U64_MAX || length >= U64_MAX) fail('EOVERFLOW', op, 'iova and length must be below 2^64 - 1', ctx);
  if (length === 0n) fail('EINVAL', op, 'length 0', { ...ctx, field: 'size' });
  const last = iova + length - 1n;
  if (last > U64_MAX) fail('EOVERFLOW', op, `${hex(iova)} + ${hex(length)} wraps past 2^64`, { ...ctx, field: 'size' });
  const bytes = iopt.unmapRange(iova, last, op, ctx);
  if (bytes === 0n) fail('ENOENT', op, `nothing is mapped in ${hex(iova)}–${hex(last)}`, ctx);
  return bytes;
}
