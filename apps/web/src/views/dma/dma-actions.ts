/** The container's DMA REST actions (VFIO_IOMMU_MAP_DMA / UNMAP_DMA through the server), on the host whose client is given. */
import type { ApiClient, MapBody, UnmapBody } from '@vfioscope/protocol';

export const mapDma = (api: ApiClient, container: number, body: MapBody) => api.call('map', { params: { id: container }, body });
export const unmapDma = (api: ApiClient, container: number, body: UnmapBody) => api.call('unmap', { params: { id: container }, body });
