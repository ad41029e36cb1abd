/**
 * A device region mapped into this process (mmap of the device fd at the
 * region's offset), for regions whose info carries VFIO_REGION_INFO_FLAG_MMAP
 * (BARs; vfio-pci never lets config space or the MSI-X table be mapped).
 * Accesses go straight to the device without a syscall each. MMIO cares about
 * access width, so only aligned 32-bit accesses are offered: a Uint32Array
 * element access is one 4-byte load or store.
 */
import { VfioError, type Teardown } from '@vfioscope/host';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import type { Owned, Resources } from './resources.ts';

export class RegionMapping implements Owned {
  private words: Uint32Array | null;

  constructor(
    readonly device: string,
    readonly index: number,
    readonly addr: bigint,
    readonly size: bigint,
    private readonly resources: Resources,
  ) {
    const view = libc.viewMemory(addr, Number(size));
    this.words = new Uint32Array(view.buffer, view.byteOffset, Math.floor(view.byteLength / 4));
    resources.add(this);
  }

  private at(op: string, offset: number): number {
    assertOpen(this.words === null, op, `mapping of region ${this.index} of ${this.device}`);
    if (offset % 4 !== 0 || offset < 0 || offset + 4 > Number(this.size)) {
      throw VfioError.fromErrno(
        22 /* EINVAL */,
        op,
        `offset 0x${offset.toString(16)} is not an aligned 32-bit word of region ${this.index}`,
        {
          device: this.device,
        },
      );
    }
    return offset / 4;
  }

  read32(offset: number): number {
    const i = this.at('read32', offset);
    return this.words![i]!;
  }

  write32(offset: number, value: number): void {
    const i = this.at('write32', offset);
    this.words![i] = value >>> 0;
  }

  addTeardown(t: Teardown<void>): void {
    t.add('device', `munmap region ${this.index} of ${this.device}`, () => this.releaseSync());
  }

  releaseSync(): void {
    if (this.words === null) return;
    this.words = null;
    this.resources.delete(this);
    libc.munmap(this.addr, this.size, { device: this.device });
  }

  unmap(): void {
    assertOpen(this.words === null, 'munmap', `mapping of region ${this.index} of ${this.device}`);
    this.releaseSync();
  }
}
