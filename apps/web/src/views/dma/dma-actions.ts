/** The container's DMA REST actions (VFIO_IOMMU_MAP_DMA / UNMAP_DMA through the server). */
import type { MapBody, UnmapBody } from '@vfioscope/protocol';
import { api } from '../../api/rest.ts';

export const mapDma = (container: number, body: MapBody) => api.call('map', { params: { id: container }, body });
export const unmapDma = (container: number, body: UnmapBody) => api.call('unmap', { params: { id: container }, body });
