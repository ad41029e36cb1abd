import { describe, expect, it } from 'vitest';
import { contextTitle, kindLabel, mapIoctl, unmapIoctl } from './iommu.ts';

describe('IOMMU contexts on screen', () => {
  it('names a context and its ioctls by who serves it', () => {
    expect(contextTitle('iommufd', 2)).toBe('IOAS 2');
    expect(contextTitle('type1', 1)).toBe('Container 1');
    expect(kindLabel('iommufd-compat')).toBe('TYPE1v2 · served by iommufd (compat)');
    expect([mapIoctl('iommufd'), unmapIoctl('iommufd')]).toEqual(['IOMMU_IOAS_MAP', 'IOMMU_IOAS_UNMAP']);
    expect([mapIoctl('type1'), unmapIoctl('iommufd-compat')]).toEqual(['VFIO_IOMMU_MAP_DMA', 'VFIO_IOMMU_UNMAP_DMA']);
  });
});
