/**
 * The DMA side of a case, the same whichever IOMMU serves it: a VFIO
 * container (VFIO_IOMMU_MAP_DMA / UNMAP_DMA / GET_INFO) or an iommufd IOAS
 * (IOMMU_IOAS_MAP / UNMAP / IOVA_RANGES). Cases state what they map in one
 * vocabulary and each mode's ioctls carry it, so one case checks every mode.
 */
import {
  IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_MAP_WRITEABLE,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
} from '@vfioscope/uapi';
import type { Container, Ioas, IovaRange } from '../drive.ts';
import type { ConformanceMode } from './modes.ts';

export interface SpaceMapRequest {
  vaddr: bigint;
  iova: bigint;
  size: bigint;
  /** device reads (memory → device); default true */
  read?: boolean;
  /** device writes (device → memory); default true */
  write?: boolean;
  /** add a flag bit neither uAPI defines (bit 7) */
  undefinedFlag?: boolean;
}

export interface DmaSpace {
  readonly mode: ConformanceMode;
  map(req: SpaceMapRequest): Promise<void>;
  /** resolves to the bytes unmapped */
  unmap(iova: bigint, size: bigint): Promise<bigint>;
  /** everything: UNMAP_FLAG_ALL on a container, the whole 64-bit space on an IOAS */
  unmapAll(): Promise<bigint>;
  iovaRanges(): Promise<IovaRange[]>;
  /** the smallest IOVA page (type1's iova_pgsizes, an IOAS's alignment) */
  iovaPage(): Promise<bigint>;
  /** DMA_AVAIL of a container; null for an IOAS, which counts no mappings */
  entriesAvail(): Promise<number | null>;
}

const UNDEFINED_FLAG = 1 << 7;
const U64_MAX = (1n << 64n) - 1n;

export function containerSpace(container: Container, mode: ConformanceMode): DmaSpace {
  return {
    mode,
    map: (r) =>
      container.mapDma({
        vaddr: r.vaddr,
        iova: r.iova,
        size: r.size,
        flags:
          (r.read === false ? 0 : VFIO_DMA_MAP_FLAG_READ) |
          (r.write === false ? 0 : VFIO_DMA_MAP_FLAG_WRITE) |
          (r.undefinedFlag ? UNDEFINED_FLAG : 0),
      }),
    unmap: (iova, size) => container.unmapDma({ iova, size, flags: 0 }),
    unmapAll: () => container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }),
    iovaRanges: async () => (await container.iommuInfo()).iovaRanges,
    iovaPage: async () => {
      const { iovaPgsizes } = await container.iommuInfo();
      return iovaPgsizes & -iovaPgsizes;
    },
    entriesAvail: async () => (await container.iommuInfo()).dmaAvail,
  };
}

export function ioasSpace(ioas: Ioas): DmaSpace {
  return {
    mode: 'iommufd',
    map: (r) =>
      ioas.map({
        vaddr: r.vaddr,
        iova: r.iova,
        size: r.size,
        flags:
          (r.read === false ? 0 : IOMMU_IOAS_MAP_READABLE) |
          (r.write === false ? 0 : IOMMU_IOAS_MAP_WRITEABLE) |
          (r.undefinedFlag ? UNDEFINED_FLAG : 0),
      }),
    unmap: (iova, size) => ioas.unmap(iova, size),
    unmapAll: () => ioas.unmap(0n, U64_MAX),
    iovaRanges: async () => (await ioas.iovaRanges()).ranges,
    iovaPage: async () => (await ioas.iovaRanges()).alignment,
    entriesAvail: async () => null,
  };
}
