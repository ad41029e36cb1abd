/**
 * A VFIO container: an open /dev/vfio/vfio, one IOMMU context. The IOMMU
 * type is set once the first group is attached; DMA mappings live here
 * (type1: VFIO_IOMMU_MAP_DMA pins the pages and accounts them to this
 * process's locked memory).
 */
import type { Container, DmaMapRequest, DmaUnmapRequest, IommuInfo } from '@vfioscope/host';
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
import type { ContainerResource, Resources } from './resources.ts';

interface Mapping {
  iova: bigint;
  size: bigint;
}

export class LinuxContainer implements Container, ContainerResource {
  private closed = false;
  /** what we mapped, for teardown; the kernel's table is the truth */
  private readonly mappings: Mapping[] = [];

  constructor(
    readonly fd: number,
    private readonly resources: Resources,
  ) {
    resources.containers.add(this);
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
    // First with the fixed size; the kernel answers the size its capability chain needs.
    let buf = encodeIommuType1InfoRequest();
    this.ioctlPtr(VFIO_IOMMU_GET_INFO, buf, 'VFIO_IOMMU_GET_INFO');
    let info = decodeIommuType1Info(buf);
    if (info.truncated) {
      buf = encodeIommuType1InfoRequest(info.argsz);
      this.ioctlPtr(VFIO_IOMMU_GET_INFO, buf, 'VFIO_IOMMU_GET_INFO');
      info = decodeIommuType1Info(buf);
    }
    return {
      flags: info.flags,
      iovaPgsizes: info.iova_pgsizes,
      iovaRanges: (info.iova_ranges ?? []).map((r) => ({ start: r.start, end: r.end })),
      dmaAvail: info.dma_avail,
    };
  }

  async mapDma(req: DmaMapRequest): Promise<void> {
    const buf = encodeDmaMap({ flags: req.flags, vaddr: req.vaddr, iova: req.iova, size: req.size });
    this.ioctlPtr(VFIO_IOMMU_MAP_DMA, buf, 'VFIO_IOMMU_MAP_DMA');
    this.mappings.push({ iova: req.iova, size: req.size });
  }

  async unmapDma(req: DmaUnmapRequest): Promise<bigint> {
    const buf = encodeDmaUnmap({ flags: req.flags, iova: req.iova, size: req.size });
    this.ioctlPtr(VFIO_IOMMU_UNMAP_DMA, buf, 'VFIO_IOMMU_UNMAP_DMA');
    this.forget(req);
    return decodeDmaUnmap(buf).size;
  }

  private forget(req: DmaUnmapRequest): void {
    const all = (req.flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
    const end = req.iova + req.size;
    for (let i = this.mappings.length - 1; i >= 0; i--) {
      const m = this.mappings[i]!;
      if (all || (m.iova >= req.iova && m.iova + m.size <= end)) this.mappings.splice(i, 1);
    }
  }

  unmapAllSync(): void {
    if (this.closed || this.mappings.length === 0) return;
    const hasUnmapAll = libc.ioctlInt(this.fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL, 'VFIO_CHECK_EXTENSION', this.ctx()) > 0;
    const todo = hasUnmapAll ? [{ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }] : this.mappings.map((m) => ({ ...m, flags: 0 }));
    for (const req of todo) {
      libc.ioctlPtr(this.fd, VFIO_IOMMU_UNMAP_DMA, encodeDmaUnmap(req), 'VFIO_IOMMU_UNMAP_DMA', this.ctx());
    }
    this.mappings.length = 0;
  }

  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.resources.containers.delete(this);
    libc.close(this.fd, this.ctx());
  }

  async close(): Promise<void> {
    assertOpen(this.closed, 'close', `container ${this.fd}`, this.ctx());
    this.releaseSync();
  }
}
