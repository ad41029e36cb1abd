/**
 * /api/v1/containers…: the containers vfioscope holds (one IOMMU context
 * each, TYPE1v2) and their DMA mapping tables. vfioscope allocates the memory
 * it maps, so a map request carries no vaddr.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DecimalString, Hex64, IommuKindView, U64Input } from '../primitives.ts';

export const IommuInfoView = Type.Object({
  flags: Type.Integer(),
  /** supported IOMMU page sizes bitmap */
  iovaPgsizes: Hex64,
  /** valid IOVA ranges, inclusive ends; empty when the kernel does not report them */
  iovaRanges: Type.Array(Type.Object({ start: Hex64, end: Hex64 })),
  /** DMA mappings still available (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL), null when not reported */
  dmaAvail: Type.Union([Type.Integer(), Type.Null()]),
});
export type IommuInfoView = Static<typeof IommuInfoView>;

/** An IOMMU context vfioscope holds: a VFIO container or an iommufd IOAS ("container" in the API either way). */
export const ContainerView = Type.Object({
  id: Type.Integer(),
  kind: IommuKindView,
  groups: Type.Array(Type.Integer()),
  iommu: Type.Union([IommuInfoView, Type.Null()]),
  mappingCount: Type.Integer(),
  pinnedBytes: Type.Number(),
});
export type ContainerView = Static<typeof ContainerView>;

export const ContainersResponse = Type.Object({ containers: Type.Array(ContainerView) });
export type ContainersResponse = Static<typeof ContainersResponse>;

export const ContainerParams = Type.Object({ id: DecimalString });
export type ContainerParams = Static<typeof ContainerParams>;

export const MappingRow = Type.Object({
  iova: Hex64,
  size: Hex64,
  vaddr: Hex64,
  read: Type.Boolean(),
  write: Type.Boolean(),
  /** pages pinned for this mapping */
  pages: Type.Integer(),
});
export type MappingRow = Static<typeof MappingRow>;

export const MAPPINGS_PAGE_MAX = 1000;

export const MappingsQuery = Type.Object(
  {
    offset: Type.Optional(DecimalString),
    /** rows per page, 1–1000 (default 100) */
    limit: Type.Optional(DecimalString),
    sort: Type.Optional(Type.Union([Type.Literal('iova'), Type.Literal('size')])),
  },
  { additionalProperties: false },
);
export type MappingsQuery = Static<typeof MappingsQuery>;

export const MappingsResponse = Type.Object({
  container: Type.Integer(),
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
  rows: Type.Array(MappingRow),
});
export type MappingsResponse = Static<typeof MappingsResponse>;

export const DmaFlag = Type.Union([Type.Literal('read'), Type.Literal('write')]);
export type DmaFlag = Static<typeof DmaFlag>;

export const MapBody = Type.Object(
  {
    iova: U64Input,
    size: U64Input,
    flags: Type.Array(DmaFlag, { minItems: 1, maxItems: 2, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type MapBody = Static<typeof MapBody>;

export const MapResponse = Type.Object({ container: Type.Integer(), mapping: MappingRow });
export type MapResponse = Static<typeof MapResponse>;

export const UnmapBody = Type.Union([
  Type.Object({ iova: U64Input, size: U64Input }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);
export type UnmapBody = Static<typeof UnmapBody>;

export const UnmapResponse = Type.Object({
  container: Type.Integer(),
  unmappedBytes: Hex64,
  removed: Type.Integer(),
});
export type UnmapResponse = Static<typeof UnmapResponse>;
