/**
 * The IOMMU modes the suite runs in, and the kernel's answer in each where
 * they differ — like the kernel selftests' FIXTURE_VARIANT over iommu_mode
 * (tools/testing/selftests/vfio/lib/iommu.c). A mode is who serves the DMA
 * context the cases drive:
 *  - type1: /dev/vfio/vfio served by vfio_iommu_type1 (Linux 6.1; 6.12 with
 *    CONFIG_VFIO_CONTAINER);
 *  - iommufd-compat: /dev/vfio/vfio served by iommufd's vfio_compat.c
 *    (CONFIG_IOMMUFD_VFIO_CONTAINER), the same ioctls with iommufd's answers;
 *  - iommufd: /dev/iommu and the device cdev, no container and no group file.
 * Answers measured on Linux 6.1 and 6.12 in e2e/kernel (README there); the
 * shape errnos (a wrap, an unaligned unmap) come from rules/dma-request.ts,
 * the one copy server and web use, so the kernel checks that rule too.
 */
import type { ErrnoName } from '@vfioscope/uapi';
import type { IommuKind } from '../rules/dma-request.ts';

export type ConformanceMode = IommuKind;
export const CONFORMANCE_MODES: readonly ConformanceMode[] = ['type1', 'iommufd-compat', 'iommufd'];

/** 'ok': the call succeeds; otherwise the errno it fails with */
export type Answer = ErrnoName | 'ok';

export interface ModeAnswers {
  /** a map with a flag bit the uAPI does not define (type1: EINVAL; iommufd rejects unknown flags EOPNOTSUPP) */
  undefinedMapFlag: ErrnoName;
  /** an unmap that splits a mapping (type1 v2: EINVAL; iopt_unmap_iova: ENOENT) */
  bisectUnmap: ErrnoName;
  /** an unmap of a range that holds no mapping: type1 and compat 0 bytes, an IOAS ENOENT */
  emptyUnmap: 0n | ErrnoName;
  /**
   * what counts mappings: type1's DMA_AVAIL counts down from dma_entry_limit; compat
   * reports a constant 4294967295 (ENOSPC unreachable); an IOAS counts nothing
   */
  entries: 'dma_entry_limit' | 'constant' | 'none';
  /** legacy container ordering rules (null: no container in this mode) */
  container: {
    /** VFIO_SET_IOMMU before any group is attached */
    setIommuWithoutGroup: ErrnoName;
    /** GET_INFO, MAP_DMA and GET_DEVICE_FD before VFIO_SET_IOMMU */
    beforeSetIommu: Answer;
    /** VFIO_SET_IOMMU a second time */
    setIommuTwice: Answer;
    /** VFIO_SET_IOMMU with SPAPR_TCE (no such IOMMU driver here) */
    unofferedIommuType: ErrnoName;
    /** VFIO_GROUP_UNSET_CONTAINER while a device fd is open */
    unsetWithDeviceOpen: Answer;
    /** after the last group leaves, IOMMU_GET_INFO: type1 forgets its IOMMU (EINVAL), compat keeps its IOAS */
    infoAfterLastGroupLeaves: Answer;
    /**
     * VFIO_GROUP_SET_CONTAINER on a group that is not viable: type1 claims DMA ownership of the
     * group there (EPERM); compat only links the group to the iommufd and claims it per device,
     * when GET_DEVICE_FD binds it (group.c, vfio_group_ioctl_set_container)
     */
    notViableSetContainer: Answer;
  } | null;
}

export const MODE_ANSWERS: Record<ConformanceMode, ModeAnswers> = {
  type1: {
    undefinedMapFlag: 'EINVAL',
    bisectUnmap: 'EINVAL',
    emptyUnmap: 0n,
    entries: 'dma_entry_limit',
    container: {
      setIommuWithoutGroup: 'EINVAL',
      beforeSetIommu: 'EINVAL',
      setIommuTwice: 'EINVAL',
      unofferedIommuType: 'ENODEV',
      unsetWithDeviceOpen: 'EBUSY',
      infoAfterLastGroupLeaves: 'EINVAL',
      notViableSetContainer: 'EPERM',
    },
  },
  'iommufd-compat': {
    undefinedMapFlag: 'EINVAL',
    bisectUnmap: 'ENOENT',
    emptyUnmap: 0n,
    entries: 'constant',
    container: {
      setIommuWithoutGroup: 'ENODEV',
      beforeSetIommu: 'ok',
      setIommuTwice: 'ok',
      unofferedIommuType: 'EINVAL',
      unsetWithDeviceOpen: 'ok',
      infoAfterLastGroupLeaves: 'ok',
      notViableSetContainer: 'ok',
    },
  },
  iommufd: {
    undefinedMapFlag: 'EOPNOTSUPP',
    bisectUnmap: 'ENOENT',
    emptyUnmap: 'ENOENT',
    entries: 'none',
    container: null,
  },
};

/** DMA_AVAIL of iommufd's compat container: U32_MAX, whatever is mapped (vfio_compat.c) */
export const COMPAT_DMA_AVAIL = 0xffff_ffff;

/** The modes with a VFIO container (/dev/vfio/vfio and group files). */
export const LEGACY_MODES: readonly ConformanceMode[] = ['type1', 'iommufd-compat'];
