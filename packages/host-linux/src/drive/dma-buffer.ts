/**
 * Process memory for DMA: an anonymous private mapping (mmap), page-aligned
 * as VFIO_IOMMU_MAP_DMA requires; its size is the mapping's, whole pages.
 * Read and written through a zero-copy view of the mapping; after free()
 * (munmap) the view is dropped, so no access can touch unmapped memory: it
 * fails with EFAULT, as a syscall given that address would. munmap of a
 * range already unmapped succeeds, so a second free() is a no-op.
 */
import type { DmaBuffer, Teardown } from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import * as libc from '../syscalls/libc.ts';
import type { Owned, Resources } from './resources.ts';

export class LinuxDmaBuffer implements DmaBuffer, Owned {
  private view: Buffer | null;

  private constructor(
    readonly vaddr: bigint,
    readonly size: bigint,
    private readonly resources: Resources,
  ) {
    this.view = libc.viewMemory(vaddr, Number(size));
    resources.add(this);
  }

  static alloc(size: bigint, pageSize: number, resources: Resources): LinuxDmaBuffer {
    if (size <= 0n) throw VfioError.fromErrno(22 /* EINVAL */, 'mmap', `DMA buffer size ${size} must be positive`);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw VfioError.fromErrno(12 /* ENOMEM */, 'mmap', `DMA buffer size ${size} too large`);
    const page = BigInt(pageSize);
    const rounded = ((size + page - 1n) / page) * page;
    const vaddr = libc.mmap(rounded, libc.PROT_READ | libc.PROT_WRITE, libc.MAP_PRIVATE | libc.MAP_ANONYMOUS, -1, 0n);
    return new LinuxDmaBuffer(vaddr, rounded, resources);
  }

  private range(op: string, offset: bigint, length: number): Buffer {
    if (this.view === null) {
      throw VfioError.fromErrno(14 /* EFAULT */, op, `DMA buffer 0x${this.vaddr.toString(16)} was unmapped`);
    }
    if (offset < 0n || length < 0 || offset + BigInt(length) > this.size) {
      throw VfioError.fromErrno(14 /* EFAULT */, op, `range 0x${offset.toString(16)}+${length} outside the ${this.size}-byte buffer`);
    }
    const start = Number(offset);
    return this.view!.subarray(start, start + length);
  }

  async read(offset: bigint, size: number): Promise<Uint8Array> {
    return Uint8Array.from(this.range('DmaBuffer.read', offset, size));
  }

  async write(offset: bigint, data: Uint8Array): Promise<void> {
    this.range('DmaBuffer.write', offset, data.length).set(data);
  }

  addTeardown(t: Teardown<void>): void {
    t.add('memory', `munmap DMA buffer 0x${this.vaddr.toString(16)}`, () => this.releaseSync());
  }

  releaseSync(): void {
    if (this.view === null) return;
    this.view = null;
    this.resources.delete(this);
    libc.munmap(this.vaddr, this.size);
  }

  async free(): Promise<void> {
    this.releaseSync();
  }
}
