/**
 * The memory of one simulated process: anonymous mmap()s used as DMA
 * buffers, mm->locked_vm (VmLck), the page count type1 charges pinned pages
 * to and checks against RLIMIT_MEMLOCK, and mm->pinned_vm (VmPin), which
 * iommufd charges (pin-accounting.ts says who charges what). Buffers get page-aligned fake virtual
 * addresses with an unmapped guard gap between them, so a DMA mapping that
 * runs past a buffer fails to pin (EFAULT) as it would on Linux. Pages are
 * allocated on first write, so a large buffer costs nothing until used.
 */
import type { DmaBuffer } from '@vfioscope/host';
import { DmaMappingTable } from '@vfioscope/host';
import { fail, hex } from './fail.ts';

/** The pages behind one mmap(); survives munmap while type1 still pins them. */
export class PageBacking {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(
    readonly vaddr: bigint,
    readonly bytes: bigint,
    readonly pageSize: number,
  ) {}

  read(offset: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.forEachPage(offset, length, (page, pageOff, bufOff, n) => {
      if (page) out.set(page.subarray(pageOff, pageOff + n), bufOff);
    });
    return out;
  }

  write(offset: bigint, data: Uint8Array): void {
    this.forEachPage(offset, data.length, (_page, pageOff, bufOff, n, index) => {
      let page = this.pages.get(index);
      if (!page) {
        page = new Uint8Array(this.pageSize);
        this.pages.set(index, page);
      }
      page.set(data.subarray(bufOff, bufOff + n), pageOff);
    });
  }

  private forEachPage(
    offset: bigint,
    length: number,
    fn: (page: Uint8Array | undefined, pageOff: number, bufOff: number, n: number, index: number) => void,
  ): void {
    const ps = BigInt(this.pageSize);
    let done = 0;
    while (done < length) {
      const at = offset + BigInt(done);
      const index = Number(at / ps);
      const pageOff = Number(at % ps);
      const n = Math.min(length - done, this.pageSize - pageOff);
      fn(this.pages.get(index), pageOff, done, n, index);
      done += n;
    }
  }
}

/** The user's handle on an anonymous mapping (Host.allocDmaBuffer). */
export class SimDmaBuffer implements DmaBuffer {
  private freed = false;

  constructor(
    readonly backing: PageBacking,
    readonly size: bigint,
    private readonly unmap: (b: SimDmaBuffer) => void,
  ) {}

  get vaddr(): bigint {
    return this.backing.vaddr;
  }

  private check(op: string, offset: bigint, length: number): void {
    if (this.freed) fail('EFAULT', op, `buffer at ${hex(this.vaddr)} was unmapped`);
    if (offset < 0n || length < 0 || offset + BigInt(length) > this.size) {
      fail('EFAULT', op, `${hex(offset)}+${length} is outside the ${this.size}-byte buffer at ${hex(this.vaddr)}`);
    }
  }

  async read(offset: bigint, size: number): Promise<Uint8Array> {
    this.check('read', offset, size);
    return this.backing.read(offset, size);
  }

  async write(offset: bigint, data: Uint8Array): Promise<void> {
    this.check('write', offset, data.length);
    this.backing.write(offset, data);
  }

  /** munmap(2) of a range already unmapped succeeds, so a second free is a no-op */
  async free(): Promise<void> {
    if (this.freed) return;
    this.freed = true;
    this.unmap(this);
  }
}

/** Where user memory starts in the fake address space, and the gap left after each mapping. */
const MMAP_BASE = 0x7f00_0000_0000n;
const GUARD = 0x10_0000n;

export class ProcessAddressSpace {
  private readonly vmas = new DmaMappingTable<PageBacking>();
  private readonly live = new Set<SimDmaBuffer>();
  private next = MMAP_BASE;
  /** mm->locked_vm (VmLck), in pages */
  lockedPages = 0;
  /** mm->pinned_vm (VmPin), in pages */
  pinnedPages = 0;

  constructor(
    readonly pid: number,
    /** RLIMIT_MEMLOCK in bytes, null = unlimited */
    readonly memlockLimit: number | null,
    readonly pageSize: number,
  ) {}

  /** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS) */
  mmap(size: bigint): SimDmaBuffer {
    if (size <= 0n) fail('EINVAL', 'mmap', `length ${size} must be positive`);
    const ps = BigInt(this.pageSize);
    const rounded = ((size + ps - 1n) / ps) * ps;
    const backing = new PageBacking(this.next, rounded, this.pageSize);
    this.vmas.insert({ iova: this.next, size: rounded, vaddr: this.next, flags: 3, pages: Number(rounded / ps), data: backing });
    this.next += rounded + GUARD;
    const buffer = new SimDmaBuffer(backing, rounded, (b) => {
      this.vmas.remove(b.vaddr);
      this.live.delete(b);
    });
    this.live.add(buffer);
    return buffer;
  }

  /** buffers not yet unmapped */
  liveBuffers(): SimDmaBuffer[] {
    return [...this.live];
  }

  /** The backing and offset of a mapped user address, if any (what get_user_pages walks). */
  resolve(vaddr: bigint): { backing: PageBacking; offset: bigint } | null {
    const vma = this.vmas.find(vaddr);
    return vma?.data ? { backing: vma.data, offset: vaddr - vma.iova } : null;
  }

  /** How many pages from `vaddr` on are mapped, up to `pages` (the pinnable prefix). */
  mappedPrefixPages(vaddr: bigint, pages: number): number {
    const vma = this.vmas.find(vaddr);
    if (!vma) return 0;
    const left = Number((vma.iova + vma.size - vaddr) / BigInt(this.pageSize));
    return Math.min(left, pages);
  }

  /** RLIMIT_MEMLOCK in pages (Infinity when unlimited) */
  get lockLimitPages(): number {
    return this.memlockLimit === null ? Infinity : Math.floor(this.memlockLimit / this.pageSize);
  }
}
