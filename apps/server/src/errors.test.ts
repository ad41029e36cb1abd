import { describe, expect, it } from 'vitest';
import { VfioError } from '@vfioscope/host';
import { ERRNO } from '@vfioscope/uapi';
import { KERNEL_ERRNOS } from '@vfioscope/protocol';
import { ApiProblem, toProblem } from './errors.ts';

describe('errors on the wire', () => {
  it('the protocol knows every errno name the uapi table has', () => {
    expect([...KERNEL_ERRNOS].sort()).toEqual(Object.keys(ERRNO).sort());
  });

  it('a kernel failure keeps its errno, op and field; the message names the field', () => {
    const e = new VfioError('EEXIST', 'VFIO_IOMMU_MAP_DMA', 'overlaps an existing mapping', { container: 1, field: 'iova' });
    expect(toProblem(e)).toEqual({
      status: 409,
      body: { error: { errno: 'EEXIST', message: 'iova: VFIO_IOMMU_MAP_DMA: overlaps an existing mapping', field: 'iova' } },
    });
    expect(toProblem(new VfioError('ENOSPC', 'VFIO_IOMMU_MAP_DMA', 'dma_entry_limit reached')).status).toBe(507);
    expect(toProblem(new ApiProblem('EINVAL', 'not page aligned', 'size')).body.error.message).toBe('size: not page aligned');
    expect(toProblem(new Error('boom'))).toEqual({ status: 500, body: { error: { errno: 'EINTERNAL', message: 'boom' } } });
  });
});
