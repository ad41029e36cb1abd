/**
 * vfioscope's containers and their mapping rows on the wire: bigints (iova,
 * size, vaddr, IOVA ranges, page-size bitmap) as 0x hex.
 */
import type { MappingRow as SessionMappingRow, OwnedContainer } from '@vfioscope/session';
import { toHex64, type ContainerView, type MappingRow } from '@vfioscope/protocol';

export function containerView(c: OwnedContainer): ContainerView {
  return {
    id: c.id,
    kind: c.kind,
    groups: [...c.groups],
    iommu: c.iommuInfo
      ? {
          flags: c.iommuInfo.flags,
          iovaPgsizes: toHex64(c.iommuInfo.iovaPgsizes),
          iovaRanges: c.iommuInfo.iovaRanges.map((r) => ({ start: toHex64(r.start), end: toHex64(r.end) })),
          dmaAvail: c.iommuInfo.dmaAvail,
        }
      : null,
    mappingCount: c.mappingCount,
    pinnedBytes: Number(c.pinnedBytes),
  };
}

export function mappingRowView(r: SessionMappingRow): MappingRow {
  return {
    iova: toHex64(r.iova),
    size: toHex64(r.size),
    vaddr: toHex64(r.vaddr),
    read: r.read,
    write: r.write,
    pages: r.pages,
  };
}
