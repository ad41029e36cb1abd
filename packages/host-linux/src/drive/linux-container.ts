/**
 * A VFIO container: an open /dev/vfio/vfio, one IOMMU context. The IOMMU
 * type is set once the first group is attached; DMA mappings live here
 * (type1: VFIO_IOMMU_MAP_DMA pins the pages and accounts them to this
 * process's locked memory). What is mapped is the kernel's table alone: at
 * teardown the container unmaps everything with VFIO_DMA_UNMAP_FLAG_ALL
 * (the VFIO_UNMAP_ALL extension, Linux 5.12+; older kernels get one unmap of
 * the whole IOVA space, which type1v2 accepts as it bisects no mapping).
 */
import type { Container, DmaMapRequest, DmaUnmapRequest, IommuInfo, Teardown } from '@vfioscope/host';
import {
  VFIO_CHECK_EXTENSION,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_GET_API_VERSION,
  VFIO_IOMMU_GET_INFO,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_SET_IOMMU,
  VFIO_UNMAP_ALL,
  decodeDmaUnmap,
  decodeIommuType1Info,
  encodeDmaMap,
  encodeDmaUnmap,
  encodeIommuType1InfoRequest,
} from '@vfioscope/uapi';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import type { Owned, Resources } from './resources.ts';

/** the whole IOVA space as one type1 unmap (iova + size - 1 must not wrap), for kernels without VFIO_UNMAP_ALL */
const WHOLE_SPACE_BELOW_LAST_PAGE = (pageSize: number) => (1n << 64n) - BigInt(pageSize);

export class LinuxContainer implements Container, Owned {
  private closed = false;
  /** the groups set to this container (VFIO_GROUP_SET_CONTAINER, not yet unset or closed) */
  private readonly groups = new Set<object>();
  /**
   * A map succeeded since the last group left: with a group set, the container may hold mappings a
   * device can reach. (type1 frees every mapping when the last group leaves; iommufd's compat
   * container keeps its IOAS, but with no group no device reaches it, and closing frees it.)
   */
  private mayHaveMappings = false;

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

  private ctx() {
    return { container: this.fd };
  }

  private ioctlInt(request: number, arg: number, op: string): number {
    assertOpen(this.closed, op, `container ${this.fd}`, this.ctx());
    return libc.ioctlInt(this.fd, request, arg, op, this.ctx());
  }

  private ioctlPtr(request: number, arg: Uint8Array, op: string): number {
    assertOpen(this.closed, op, `container ${this.fd}`, this.ctx());
    return libc.ioctlPtr(this.fd, request, arg, op, this.ctx());
  }

  private ioctlBlocking(request: number, arg: Uint8Array, op: string): Promise<number> {
    assertOpen(this.closed, op, `container ${this.fd}`, this.ctx());
    return libc.ioctlPtrBlocking(this.fd, request, arg, op, this.ctx());
  }

  async apiVersion(): Promise<number> {
    return this.ioctlInt(VFIO_GET_API_VERSION, 0, 'VFIO_GET_API_VERSION');
  }

  async checkExtension(extension: number): Promise<number> {
    return this.ioctlInt(VFIO_CHECK_EXTENSION, extension, 'VFIO_CHECK_EXTENSION');
  }

  async setIommu(type: number): Promise<void> {
    this.ioctlInt(VFIO_SET_IOMMU, type, 'VFIO_SET_IOMMU');
  }

  async iommuInfo(): Promise<IommuInfo> {
    // First with the fixed size; the kernel answers the size its capability chain needs. Through the
    // lane: GET_INFO waits on iommu->lock, which a MAP_DMA holds while it pins (vfio_dma_do_map) —
    // asked on the event loop (the stream asks every tick) it would stall it for the rest of the map.
    let buf = encodeIommuType1InfoRequest();
    await this.ioctlBlocking(VFIO_IOMMU_GET_INFO, buf, 'VFIO_IOMMU_GET_INFO');
    let info = decodeIommuType1Info(buf);
    if (info.truncated) {
      buf = encodeIommuType1InfoRequest(info.argsz);
      await this.ioctlBlocking(VFIO_IOMMU_GET_INFO, buf, 'VFIO_IOMMU_GET_INFO');
      info = decodeIommuType1Info(buf);
    }
    return {
      flags: info.flags,
      iovaPgsizes: info.iova_pgsizes,
      iovaRanges: (info.iova_ranges ?? []).map((r) => ({ start: r.start, end: r.end })),
      dmaAvail: info.dma_avail,
    };
  }

  /** pins or unpins every page it covers: off the event loop, unless a few (libc.ioctlPtrShort) */
  private ioctlPinning(request: number, arg: Uint8Array, op: string, size: bigint): Promise<number> {
    if (size > libc.SHORT_PIN_BYTES) return this.ioctlBlocking(request, arg, op);
    assertOpen(this.closed, op, `container ${this.fd}`, this.ctx());
    return libc.ioctlPtrShort(this.fd, request, arg, op, this.ctx());
  }

  async mapDma(req: DmaMapRequest): Promise<void> {
    const buf = encodeDmaMap({ flags: req.flags, vaddr: req.vaddr, iova: req.iova, size: req.size });
    await this.ioctlPinning(VFIO_IOMMU_MAP_DMA, buf, 'VFIO_IOMMU_MAP_DMA', req.size);
    this.mayHaveMappings = true;
  }

  async unmapDma(req: DmaUnmapRequest): Promise<bigint> {
    const buf = encodeDmaUnmap({ flags: req.flags, iova: req.iova, size: req.size });
    // UNMAP_FLAG_ALL (size 0) covers everything
    const covers = req.flags & VFIO_DMA_UNMAP_FLAG_ALL ? BigInt.asUintN(64, -1n) : req.size;
    await this.ioctlPinning(VFIO_IOMMU_UNMAP_DMA, buf, 'VFIO_IOMMU_UNMAP_DMA', covers);
    return decodeDmaUnmap(buf).size;
  }

  /** LinuxGroup: VFIO_GROUP_SET_CONTAINER succeeded */
  groupSet(group: object): void {
    this.groups.add(group);
  }

  /** LinuxGroup: unset, or closed (which unsets) */
  groupLeft(group: object): void {
    this.groups.delete(group);
    if (this.groups.size === 0) this.mayHaveMappings = false;
  }

  /** VFIO_IOMMU_UNMAP_DMA of everything, while a group (and so a device) can still reach the mappings */
  unmapAllSync(): void {
    if (this.closed || !this.mayHaveMappings || this.groups.size === 0) return;
    const hasUnmapAll = libc.ioctlInt(this.fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL, 'VFIO_CHECK_EXTENSION', this.ctx()) > 0;
    const req = hasUnmapAll
      ? { iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }
      : { iova: 0n, size: WHOLE_SPACE_BELOW_LAST_PAGE(this.pageSize), flags: 0 };
    libc.ioctlPtr(this.fd, VFIO_IOMMU_UNMAP_DMA, encodeDmaUnmap(req), 'VFIO_IOMMU_UNMAP_DMA', this.ctx());
    this.mayHaveMappings = false;
  }

  addTeardown(t: Teardown<void>): void {
    t.add('dma', `unmap all in container ${this.fd}`, () => this.unmapAllSync());
    t.add('context', `close container ${this.fd}`, () => this.releaseSync());
  }

  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.resources.delete(this);
    libc.close(this.fd, this.ctx());
  }

  async close(): Promise<void> {
    assertOpen(this.closed, 'close', `container ${this.fd}`, this.ctx());
    this.releaseSync();
  }
}
