/**
 * Which IOMMU path a session drives. `auto` takes iommufd where the kernel
 * offers both /dev/iommu and the VFIO device cdev (the native uAPI for new
 * userspace, Linux 6.6+), the legacy container otherwise; `type1` always
 * takes the container (served by type1, or by iommufd's compat mode — the
 * host says which); `iommufd` insists on the native path and fails with
 * ENOENT where the kernel has none.
 */
import { VfioError, type Host, type HostInfo, type IommuKind } from '@vfioscope/host';
import { IoasContext } from './ioas-context.ts';
import type { IommuContext } from './iommu-context.ts';
import { LegacyContext } from './legacy-context.ts';

export type IommuMode = 'auto' | 'type1' | 'iommufd';

/** The context kind a mode resolves to on this host, or a VfioError saying what the kernel lacks. */
export function resolveIommuKind(mode: IommuMode, uapi: HostInfo['uapi']): IommuKind {
  const native = uapi.iommufd && uapi.cdev;
  if (mode === 'iommufd' || (mode === 'auto' && native)) {
    if (!native) {
      throw new VfioError(
        'ENOENT',
        'open',
        `the kernel offers no iommufd device path (/dev/iommu: ${uapi.iommufd ? 'yes' : 'no'}, VFIO device cdev: ${uapi.cdev ? 'yes' : 'no'})`,
        {
          field: 'iommu',
        },
      );
    }
    return 'iommufd';
  }
  if (uapi.container === null) {
    throw new VfioError('ENOENT', 'open', '/dev/vfio/vfio: the kernel offers no VFIO container', { field: 'iommu' });
  }
  return uapi.container;
}

export function openContext(host: Host, kind: IommuKind): Promise<IommuContext> {
  return kind === 'iommufd' ? IoasContext.open(host) : LegacyContext.open(host, kind);
}
