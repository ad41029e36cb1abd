/**
 * iommufd (linux/iommufd.h, Linux 6.2+): an open /dev/iommu is a context of
 * objects named by 32-bit ids. An IOAS (I/O address space) holds IOVA →
 * process-memory mappings — the counterpart of a type1 container — and
 * devices bound to the iommufd through their cdev attach to it (the kernel
 * then creates a HWPT, the hardware page table, for them). IOMMU_IOAS_MAP
 * pins the pages and charges them to RLIMIT_MEMLOCK, by default per user
 * (VmPin of the mapping process, not VmLck as type1).
 *
 * At teardown an IOAS unmaps its whole space (IOMMU_IOAS_UNMAP of iova 0,
 * length U64_MAX: the kernel's unmap-all, which succeeds on an empty IOAS)
 * in the 'dma' stage and is destroyed in 'context' (EBUSY while a device is
 * attached: device fds are closed before), then /dev/iommu is closed.
 */
import type { Ioas, IoasMapRequest, Iommufd, IovaRange, Teardown, VfioErrorContext } from '@vfioscope/host';
import { isVfioError, VfioError } from '@vfioscope/host';
import {
  IOMMU_DESTROY,
  IOMMU_IOAS_ALLOC,
  IOMMU_IOAS_IOVA_RANGES,
  IOMMU_IOAS_MAP,
  IOMMU_IOAS_MAP_FIXED_IOVA,
  IOMMU_IOAS_UNMAP,
  IOMMU_IOVA_RANGE_LAYOUT,
  decodeIoasAlloc,
  decodeIoasIovaRanges,
  decodeIoasUnmap,
  decodeIovaRanges,
  encodeIommuDestroy,
  encodeIoasAlloc,
  encodeIoasIovaRanges,
  encodeIoasMap,
  encodeIoasUnmap,
  errnoName,
} from '@vfioscope/uapi';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import type { Owned, Resources } from './resources.ts';

/** errno 90, by number: the uapi errno table may not name it */
const EMSGSIZE = errnoName(90);

/** IOMMU_IOAS_UNMAP with iova 0 and this length unmaps everything */
export const IOAS_UNMAP_ALL_LENGTH = (1n << 64n) - 1n;

export class LinuxIommufd implements Iommufd, Owned {
  private closed = false;

  constructor(
    readonly fd: number,
    private readonly resources: Resources,
    private readonly pageSize: number,
  ) {
    resources.add(this);
  }

  get id(): number {
    return this.fd;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  ctx(): VfioErrorContext {
    return { iommufd: this.fd };
  }

  /** one ioctl on /dev/iommu (EBADF once closed: the fd number may belong to another file by then) */
  ioctl(request: number, arg: Uint8Array, op: string, context: VfioErrorContext = this.ctx()): number {
    assertOpen(this.closed, op, `iommufd ${this.fd}`, context);
    return libc.ioctlPtr(this.fd, request, arg, op, context);
  }

  /** an ioctl that can block (pinning, unpinning): off the event loop, in the lane's order */
  ioctlBlocking(request: number, arg: Uint8Array, op: string, context: VfioErrorContext = this.ctx()): Promise<number> {
    assertOpen(this.closed, op, `iommufd ${this.fd}`, context);
    return libc.ioctlPtrBlocking(this.fd, request, arg, op, context);
  }

  /** a map or unmap covering `size` bytes: off the event loop unless it pins a few pages (libc.ioctlPtrShort) */
  ioctlPinning(request: number, arg: Uint8Array, op: string, size: bigint, context: VfioErrorContext): Promise<number> {
    if (size > libc.SHORT_PIN_BYTES) return this.ioctlBlocking(request, arg, op, context);
    assertOpen(this.closed, op, `iommufd ${this.fd}`, context);
    return libc.ioctlPtrShort(this.fd, request, arg, op, context);
  }

  async allocIoas(): Promise<Ioas> {
    const buf = encodeIoasAlloc();
    this.ioctl(IOMMU_IOAS_ALLOC, buf, 'IOMMU_IOAS_ALLOC');
    return new LinuxIoas(decodeIoasAlloc(buf).out_ioas_id, this, this.resources, this.pageSize);
  }

  addTeardown(t: Teardown<void>): void {
    t.add('context', `close iommufd ${this.fd}`, () => this.releaseSync());
  }

  /** close(2): the kernel destroys every object still in it */
  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.resources.delete(this);
    libc.close(this.fd, this.ctx());
  }

  async close(): Promise<void> {
    assertOpen(this.closed, 'close', `iommufd ${this.fd}`, this.ctx());
    this.releaseSync();
  }
}

export class LinuxIoas implements Ioas, Owned {
  private destroyed = false;

  constructor(
    readonly id: number,
    readonly iommufd: LinuxIommufd,
    private readonly resources: Resources,
    private readonly pageSize: number,
  ) {
    resources.add(this);
  }

  private ctx(): VfioErrorContext {
    return { ...this.iommufd.ctx(), ioas: this.id };
  }

  /** gone: destroyed, or its iommufd closed (which destroys it) */
  private get gone(): boolean {
    return this.destroyed || this.iommufd.isClosed;
  }

  private ioctl(request: number, arg: Uint8Array, op: string): number {
    assertOpen(this.destroyed, op, `IOAS ${this.id}`, this.ctx());
    return this.iommufd.ioctl(request, arg, op, this.ctx());
  }

  async map(req: IoasMapRequest): Promise<void> {
    const buf = encodeIoasMap({
      flags: req.flags | IOMMU_IOAS_MAP_FIXED_IOVA,
      ioas_id: this.id,
      user_va: req.vaddr,
      length: req.size,
      iova: req.iova,
    });
    // pins every page once a device is attached
    assertOpen(this.destroyed, 'IOMMU_IOAS_MAP', `IOAS ${this.id}`, this.ctx());
    await this.iommufd.ioctlPinning(IOMMU_IOAS_MAP, buf, 'IOMMU_IOAS_MAP', req.size, this.ctx());
  }

  async unmap(iova: bigint, size: bigint): Promise<bigint> {
    const buf = encodeIoasUnmap({ ioas_id: this.id, iova, length: size });
    assertOpen(this.destroyed, 'IOMMU_IOAS_UNMAP', `IOAS ${this.id}`, this.ctx());
    await this.iommufd.ioctlPinning(IOMMU_IOAS_UNMAP, buf, 'IOMMU_IOAS_UNMAP', size, this.ctx());
    return decodeIoasUnmap(buf).length;
  }

  /**
   * IOMMU_IOAS_IOVA_RANGES twice: first with no array, which the kernel answers with EMSGSIZE and
   * the number of ranges; then with an array of that many in memory whose address we know (an
   * anonymous mapping: the kernel writes through the `allowed_iovas` user pointer). The ranges
   * change when a device attaches, so a second EMSGSIZE asks again.
   */
  async iovaRanges(): Promise<{ ranges: IovaRange[]; alignment: bigint }> {
    const op = 'IOMMU_IOAS_IOVA_RANGES';
    let room = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const bytes = room * IOMMU_IOVA_RANGE_LAYOUT.size;
      const mapped = bytes > 0 ? BigInt(Math.ceil(bytes / this.pageSize) * this.pageSize) : 0n;
      const addr = mapped > 0n ? libc.mmap(mapped, libc.PROT_READ | libc.PROT_WRITE, libc.MAP_PRIVATE | libc.MAP_ANONYMOUS, -1, 0n) : 0n;
      try {
        const buf = encodeIoasIovaRanges({ ioas_id: this.id, num_iovas: room, allowed_iovas: addr });
        try {
          // through the lane: an IOAS_MAP pinning pages holds the io_pagetable's locks this waits on
          assertOpen(this.destroyed, op, `IOAS ${this.id}`, this.ctx());
          await this.iommufd.ioctlBlocking(IOMMU_IOAS_IOVA_RANGES, buf, op, this.ctx());
        } catch (e) {
          if (isVfioError(e) && e.errno === EMSGSIZE) {
            room = decodeIoasIovaRanges(buf).num_iovas;
            continue;
          }
          throw e;
        }
        const out = decodeIoasIovaRanges(buf);
        const ranges = out.num_iovas === 0 ? [] : decodeIovaRanges(Uint8Array.from(libc.viewMemory(addr, bytes)), out.num_iovas);
        return { ranges: ranges.map((r) => ({ start: r.start, end: r.last })), alignment: out.out_iova_alignment };
      } finally {
        if (mapped > 0n) libc.munmap(addr, mapped);
      }
    }
    throw VfioError.fromErrno(90 /* EMSGSIZE */, op, `the ranges of IOAS ${this.id} kept changing`, this.ctx());
  }

  async destroy(): Promise<void> {
    this.ioctl(IOMMU_DESTROY, encodeIommuDestroy({ id: this.id }), 'IOMMU_DESTROY');
    this.destroyed = true;
    this.resources.delete(this);
  }

  /** IOMMU_IOAS_UNMAP of the whole space, so no device still attached can reach the memory */
  unmapAllSync(): void {
    if (this.gone) return;
    this.ioctl(IOMMU_IOAS_UNMAP, encodeIoasUnmap({ ioas_id: this.id, iova: 0n, length: IOAS_UNMAP_ALL_LENGTH }), 'IOMMU_IOAS_UNMAP');
  }

  destroySync(): void {
    if (this.gone) return;
    this.destroyed = true;
    this.resources.delete(this);
    this.iommufd.ioctl(IOMMU_DESTROY, encodeIommuDestroy({ id: this.id }), 'IOMMU_DESTROY', this.ctx());
  }

  addTeardown(t: Teardown<void>): void {
    t.add('dma', `unmap all in IOAS ${this.id} of iommufd ${this.iommufd.fd}`, () => this.unmapAllSync());
    t.add('context', `destroy IOAS ${this.id} of iommufd ${this.iommufd.fd}`, () => this.destroySync());
  }
}
