/**
 * How an IOMMU context is named on screen, by who serves it: a VFIO
 * container (type1, or iommufd's compat container behind /dev/vfio/vfio) or
 * an iommufd IOAS with device cdevs. The ioctls named beside the DMA forms
 * are the ones that path uses.
 */
import type { IommuKind } from '@vfioscope/protocol';

export function contextTitle(kind: IommuKind, id: number): string {
  return kind === 'iommufd' ? `IOAS ${id}` : `Container ${id}`;
}

export function kindLabel(kind: IommuKind): string {
  if (kind === 'iommufd') return 'iommufd · device cdev';
  if (kind === 'iommufd-compat') return 'TYPE1v2 · served by iommufd (compat)';
  return 'TYPE1v2';
}

/** the IOMMU path vfioscope's own contexts take on this host (host bar, nav) */
export function driveLabel(kind: IommuKind): string {
  return kind === 'iommufd' ? 'iommufd + cdev' : kind === 'iommufd-compat' ? 'container (iommufd compat)' : 'type1 container';
}

export function mapIoctl(kind: IommuKind): string {
  return kind === 'iommufd' ? 'IOMMU_IOAS_MAP' : 'VFIO_IOMMU_MAP_DMA';
}

export function unmapIoctl(kind: IommuKind): string {
  return kind === 'iommufd' ? 'IOMMU_IOAS_UNMAP' : 'VFIO_IOMMU_UNMAP_DMA';
}
