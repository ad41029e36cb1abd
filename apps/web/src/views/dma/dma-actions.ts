/** The container's DMA REST actions (VFIO_IOMMU_MAP_DMA / UNMAP_DMA through the server). */
import { apiPaths, type MapBody, type MapResponse, type UnmapBody, type UnmapResponse } from '@vfioscope/protocol';
import { del, post } from '../../api/rest.ts';

export const mapDma = (container: number, body: MapBody) => post<MapResponse>(apiPaths.mappings(container), body);
export const unmapDma = (container: number, body: UnmapBody) => del<UnmapResponse>(apiPaths.mappings(container), body);
