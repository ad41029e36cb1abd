/**
 * Every VFIO ioctl of linux/vfio.h and every iommufd ioctl of
 * linux/iommufd.h as a row of data: its number, the fd it is issued on, the
 * direction encoded in the number, and what the third ioctl() argument is.
 * Both encode all their numbers with _IO, so the direction is always "none"
 * and the size field 0: the argument is a struct whose size travels inside
 * it (argsz for VFIO, size for iommufd), not in the number. `size` below is
 * therefore sizeof the struct from the header.
 */
import { iocDecode, type IocDirection } from './ioc.ts';
import {
  VFIO_GET_API_VERSION,
  VFIO_CHECK_EXTENSION,
  VFIO_SET_IOMMU,
  VFIO_GROUP_GET_STATUS,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_GROUP_UNSET_CONTAINER,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_DEVICE_GET_INFO,
  VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_GET_IRQ_INFO,
  VFIO_DEVICE_SET_IRQS,
  VFIO_DEVICE_RESET,
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
  VFIO_DEVICE_PCI_HOT_RESET,
  VFIO_DEVICE_QUERY_GFX_PLANE,
  VFIO_DEVICE_GET_GFX_DMABUF,
  VFIO_DEVICE_IOEVENTFD,
  VFIO_DEVICE_FEATURE,
  VFIO_IOMMU_GET_INFO,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_IOMMU_ENABLE,
  VFIO_IOMMU_DISABLE,
  VFIO_IOMMU_DIRTY_PAGES,
  VFIO_IOMMU_SPAPR_TCE_GET_INFO,
  VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
  VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
  VFIO_IOMMU_SPAPR_TCE_CREATE,
  VFIO_IOMMU_SPAPR_TCE_REMOVE,
  VFIO_EEH_PE_OP,
} from './ioctl.ts';
import {
  IOMMU_DESTROY,
  IOMMU_IOAS_ALLOC,
  IOMMU_IOAS_ALLOW_IOVAS,
  IOMMU_IOAS_COPY,
  IOMMU_IOAS_IOVA_RANGES,
  IOMMU_IOAS_MAP,
  IOMMU_IOAS_UNMAP,
  IOMMU_OPTION,
  IOMMU_VFIO_IOAS,
  IOMMU_HWPT_ALLOC,
  IOMMU_GET_HW_INFO,
  IOMMU_HWPT_SET_DIRTY_TRACKING,
  IOMMU_HWPT_GET_DIRTY_BITMAP,
  IOMMU_HWPT_INVALIDATE,
  IOMMU_FAULT_QUEUE_ALLOC,
  VFIO_DEVICE_BIND_IOMMUFD,
  VFIO_DEVICE_ATTACH_IOMMUFD_PT,
  VFIO_DEVICE_DETACH_IOMMUFD_PT,
} from './ioctl-iommufd.ts';
import * as C from './structs/device-cdev.ts';
import * as H from './structs/iommufd-hwpt.ts';
import * as A from './structs/iommufd-ioas.ts';
import * as F from './structs/layouts-iommufd.ts';
import { VFIO_DEVICE_INFO_LAYOUT } from './structs/device-info.ts';
import { VFIO_IOMMU_TYPE1_DMA_MAP_LAYOUT, VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT } from './structs/dma-map.ts';
import { VFIO_GROUP_STATUS_LAYOUT } from './structs/group-status.ts';
import { VFIO_IOMMU_TYPE1_INFO_LAYOUT } from './structs/iommu-type1-info.ts';
import { VFIO_IRQ_INFO_LAYOUT } from './structs/irq-info.ts';
import { VFIO_IRQ_SET_LAYOUT } from './structs/irq-set.ts';
import * as D from './structs/layouts-device.ts';
import * as I from './structs/layouts-iommu.ts';
import type { StructLayout } from './structs/layout.ts';
import { VFIO_REGION_INFO_LAYOUT } from './structs/region-info.ts';

/**
 * Which file descriptor an ioctl is issued on; numbers repeat across kinds.
 * `device` is a device fd from VFIO_GROUP_GET_DEVICE_FD or a device cdev;
 * `iommufd` is /dev/iommu.
 */
export type VfioFdKind = 'container' | 'group' | 'device' | 'iommufd';

/** The third ioctl() argument. */
export type IoctlArg =
  | { kind: 'none' }
  /** an integer passed directly in the argument */
  | { kind: 'value'; ctype: '__u32' | '__s32' }
  /** a pointer to a scalar, or to a NUL-terminated string for `char` */
  | { kind: 'pointer'; ctype: '__u32' | '__s32' | 'char' }
  /** a pointer to a struct framed by its first field (argsz, or size for iommufd) */
  | { kind: 'struct'; layout: StructLayout };

export interface IoctlEntry {
  name: string;
  number: number;
  fd: VfioFdKind;
  /** as encoded in the number (always "none" for VFIO and iommufd: _IO) */
  dir: IocDirection;
  arg: IoctlArg;
  /** "struct vfio_irq_set", "__s32 *", "int", "none" … */
  argName: string;
  /** sizeof the argument (the fixed part of a struct); null for a string */
  size: number | null;
  summary: string;
}

/** Each ioctl's number by its name: the shorthand properties keep a name and its constant from drifting apart. */
const NUMBERS = {
  VFIO_GET_API_VERSION,
  VFIO_CHECK_EXTENSION,
  VFIO_SET_IOMMU,
  VFIO_GROUP_GET_STATUS,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_GROUP_UNSET_CONTAINER,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_DEVICE_GET_INFO,
  VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_GET_IRQ_INFO,
  VFIO_DEVICE_SET_IRQS,
  VFIO_DEVICE_RESET,
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
  VFIO_DEVICE_PCI_HOT_RESET,
  VFIO_DEVICE_QUERY_GFX_PLANE,
  VFIO_DEVICE_GET_GFX_DMABUF,
  VFIO_DEVICE_IOEVENTFD,
  VFIO_DEVICE_FEATURE,
  VFIO_IOMMU_GET_INFO,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_IOMMU_ENABLE,
  VFIO_IOMMU_DISABLE,
  VFIO_IOMMU_DIRTY_PAGES,
  VFIO_IOMMU_SPAPR_TCE_GET_INFO,
  VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
  VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
  VFIO_IOMMU_SPAPR_TCE_CREATE,
  VFIO_IOMMU_SPAPR_TCE_REMOVE,
  VFIO_EEH_PE_OP,
  VFIO_DEVICE_BIND_IOMMUFD,
  VFIO_DEVICE_ATTACH_IOMMUFD_PT,
  VFIO_DEVICE_DETACH_IOMMUFD_PT,
  IOMMU_DESTROY,
  IOMMU_IOAS_ALLOC,
  IOMMU_IOAS_ALLOW_IOVAS,
  IOMMU_IOAS_COPY,
  IOMMU_IOAS_IOVA_RANGES,
  IOMMU_IOAS_MAP,
  IOMMU_IOAS_UNMAP,
  IOMMU_OPTION,
  IOMMU_VFIO_IOAS,
  IOMMU_HWPT_ALLOC,
  IOMMU_GET_HW_INFO,
  IOMMU_HWPT_SET_DIRTY_TRACKING,
  IOMMU_HWPT_GET_DIRTY_BITMAP,
  IOMMU_HWPT_INVALIDATE,
  IOMMU_FAULT_QUEUE_ALLOC,
} satisfies Record<string, number>;

type Row = [name: keyof typeof NUMBERS, fd: VfioFdKind, arg: IoctlArg, summary: string];

const none: IoctlArg = { kind: 'none' };
const struct = (layout: StructLayout): IoctlArg => ({ kind: 'struct', layout });

const ROWS: Row[] = [
  ['VFIO_GET_API_VERSION', 'container', none, 'returns VFIO_API_VERSION'],
  ['VFIO_CHECK_EXTENSION', 'container', { kind: 'value', ctype: '__u32' }, 'is an extension (IOMMU type, UNMAP_ALL …) supported'],
  ['VFIO_SET_IOMMU', 'container', { kind: 'value', ctype: '__s32' }, 'choose the IOMMU type; needs a group attached'],
  ['VFIO_GROUP_GET_STATUS', 'group', struct(VFIO_GROUP_STATUS_LAYOUT), 'viable / container set'],
  ['VFIO_GROUP_SET_CONTAINER', 'group', { kind: 'pointer', ctype: '__s32' }, 'attach the group to a container fd'],
  ['VFIO_GROUP_UNSET_CONTAINER', 'group', none, 'detach the group from its container'],
  ['VFIO_GROUP_GET_DEVICE_FD', 'group', { kind: 'pointer', ctype: 'char' }, 'open a device by name; returns its fd'],
  ['VFIO_DEVICE_GET_INFO', 'device', struct(VFIO_DEVICE_INFO_LAYOUT), 'device flags, region and IRQ counts'],
  ['VFIO_DEVICE_GET_REGION_INFO', 'device', struct(VFIO_REGION_INFO_LAYOUT), 'one region: flags, size, offset, caps'],
  ['VFIO_DEVICE_GET_IRQ_INFO', 'device', struct(VFIO_IRQ_INFO_LAYOUT), 'one IRQ index: flags, count'],
  ['VFIO_DEVICE_SET_IRQS', 'device', struct(VFIO_IRQ_SET_LAYOUT), 'trigger/mask/unmask, wire eventfds'],
  ['VFIO_DEVICE_RESET', 'device', none, 'reset the device'],
  ['VFIO_DEVICE_GET_PCI_HOT_RESET_INFO', 'device', struct(D.VFIO_PCI_HOT_RESET_INFO_LAYOUT), 'devices affected by a bus reset'],
  ['VFIO_DEVICE_PCI_HOT_RESET', 'device', struct(D.VFIO_PCI_HOT_RESET_LAYOUT), 'bus reset, proving ownership by group fds'],
  ['VFIO_DEVICE_QUERY_GFX_PLANE', 'device', struct(D.VFIO_DEVICE_GFX_PLANE_INFO_LAYOUT), 'mdev display plane'],
  ['VFIO_DEVICE_GET_GFX_DMABUF', 'device', { kind: 'pointer', ctype: '__u32' }, 'dma-buf fd for a plane'],
  ['VFIO_DEVICE_IOEVENTFD', 'device', struct(D.VFIO_DEVICE_IOEVENTFD_LAYOUT), 'eventfd-triggered device write'],
  ['VFIO_DEVICE_FEATURE', 'device', struct(D.VFIO_DEVICE_FEATURE_LAYOUT), 'get/set/probe a feature (migration, low power, DMA logging)'],
  ['VFIO_IOMMU_GET_INFO', 'container', struct(VFIO_IOMMU_TYPE1_INFO_LAYOUT), 'type1: page sizes, IOVA ranges, DMA avail'],
  ['VFIO_IOMMU_MAP_DMA', 'container', struct(VFIO_IOMMU_TYPE1_DMA_MAP_LAYOUT), 'type1: map and pin process memory at an IOVA'],
  ['VFIO_IOMMU_UNMAP_DMA', 'container', struct(VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT), 'type1: unmap; size returns bytes unmapped'],
  ['VFIO_IOMMU_ENABLE', 'container', none, 'SPAPR TCE: enable the container'],
  ['VFIO_IOMMU_DISABLE', 'container', none, 'SPAPR TCE: disable the container'],
  ['VFIO_IOMMU_DIRTY_PAGES', 'container', struct(I.VFIO_IOMMU_TYPE1_DIRTY_BITMAP_LAYOUT), 'type1: dirty page logging'],
  ['VFIO_IOMMU_SPAPR_TCE_GET_INFO', 'container', struct(I.VFIO_IOMMU_SPAPR_TCE_INFO_LAYOUT), 'SPAPR TCE: DMA window info'],
  ['VFIO_IOMMU_SPAPR_REGISTER_MEMORY', 'container', struct(I.VFIO_IOMMU_SPAPR_REGISTER_MEMORY_LAYOUT), 'SPAPR TCE: preregister memory'],
  ['VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY', 'container', struct(I.VFIO_IOMMU_SPAPR_REGISTER_MEMORY_LAYOUT), 'SPAPR TCE: unregister memory'],
  ['VFIO_IOMMU_SPAPR_TCE_CREATE', 'container', struct(I.VFIO_IOMMU_SPAPR_TCE_CREATE_LAYOUT), 'SPAPR TCE: create a DMA window'],
  ['VFIO_IOMMU_SPAPR_TCE_REMOVE', 'container', struct(I.VFIO_IOMMU_SPAPR_TCE_REMOVE_LAYOUT), 'SPAPR TCE: remove a DMA window'],
  ['VFIO_EEH_PE_OP', 'container', struct(I.VFIO_EEH_PE_OP_LAYOUT), 'SPAPR EEH: PE operation'],
  ['VFIO_DEVICE_BIND_IOMMUFD', 'device', struct(C.VFIO_DEVICE_BIND_IOMMUFD_LAYOUT), 'cdev: bind to an iommufd; returns the devid'],
  ['VFIO_DEVICE_ATTACH_IOMMUFD_PT', 'device', struct(C.VFIO_DEVICE_ATTACH_IOMMUFD_PT_LAYOUT), 'cdev: attach to an IOAS or HWPT'],
  ['VFIO_DEVICE_DETACH_IOMMUFD_PT', 'device', struct(C.VFIO_DEVICE_DETACH_IOMMUFD_PT_LAYOUT), 'cdev: detach; DMA is blocked'],
  ['IOMMU_DESTROY', 'iommufd', struct(A.IOMMU_DESTROY_LAYOUT), 'destroy an object (IOAS, HWPT, fault queue) by id'],
  ['IOMMU_IOAS_ALLOC', 'iommufd', struct(A.IOMMU_IOAS_ALLOC_LAYOUT), 'allocate an IOAS; returns its id'],
  ['IOMMU_IOAS_ALLOW_IOVAS', 'iommufd', struct(A.IOMMU_IOAS_ALLOW_IOVAS_LAYOUT), 'IOVA ranges attaches may not narrow'],
  ['IOMMU_IOAS_COPY', 'iommufd', struct(A.IOMMU_IOAS_COPY_LAYOUT), 'map a mapping of one IOAS in another, pinned once'],
  ['IOMMU_IOAS_IOVA_RANGES', 'iommufd', struct(A.IOMMU_IOAS_IOVA_RANGES_LAYOUT), 'usable IOVA ranges and alignment of an IOAS'],
  ['IOMMU_IOAS_MAP', 'iommufd', struct(A.IOMMU_IOAS_MAP_LAYOUT), 'map and pin process memory in an IOAS'],
  ['IOMMU_IOAS_UNMAP', 'iommufd', struct(A.IOMMU_IOAS_UNMAP_LAYOUT), 'unmap whole mappings; length returns bytes unmapped'],
  ['IOMMU_OPTION', 'iommufd', struct(H.IOMMU_OPTION_LAYOUT), 'get/set RLIMIT accounting mode, huge pages'],
  ['IOMMU_VFIO_IOAS', 'iommufd', struct(H.IOMMU_VFIO_IOAS_LAYOUT), 'get/set/clear the IOAS of the compat container'],
  ['IOMMU_HWPT_ALLOC', 'iommufd', struct(H.IOMMU_HWPT_ALLOC_LAYOUT), 'allocate a HWPT (iommu_domain) for a device'],
  ['IOMMU_GET_HW_INFO', 'iommufd', struct(H.IOMMU_HW_INFO_LAYOUT), "the IOMMU's type, registers and caps for a device"],
  ['IOMMU_HWPT_SET_DIRTY_TRACKING', 'iommufd', struct(F.IOMMU_HWPT_SET_DIRTY_TRACKING_LAYOUT), 'dirty tracking on a HWPT'],
  ['IOMMU_HWPT_GET_DIRTY_BITMAP', 'iommufd', struct(F.IOMMU_HWPT_GET_DIRTY_BITMAP_LAYOUT), 'read (and clear) dirty bits of a HWPT'],
  ['IOMMU_HWPT_INVALIDATE', 'iommufd', struct(F.IOMMU_HWPT_INVALIDATE_LAYOUT), 'invalidate caches of a nested HWPT'],
  ['IOMMU_FAULT_QUEUE_ALLOC', 'iommufd', struct(F.IOMMU_FAULT_ALLOC_LAYOUT), 'an IO page fault queue; returns its fd'],
];

function argName(arg: IoctlArg): string {
  switch (arg.kind) {
    case 'none':
      return 'none';
    case 'value':
      return 'int';
    case 'pointer':
      return `${arg.ctype} *`;
    case 'struct':
      return `struct ${arg.layout.name}`;
  }
}

function argSize(arg: IoctlArg): number | null {
  switch (arg.kind) {
    case 'none':
      return 0;
    case 'value':
      return 4;
    case 'pointer':
      return arg.ctype === 'char' ? null : 4;
    case 'struct':
      return arg.layout.size;
  }
}

const FD_ORDER: Record<VfioFdKind, number> = { container: 0, group: 1, device: 2, iommufd: 3 };

/** Every VFIO and iommufd ioctl, ordered by number, then container, group, device, iommufd. */
export const VFIO_IOCTL_TABLE: readonly IoctlEntry[] = Object.freeze(
  ROWS.map(([name, fd, arg, summary]): IoctlEntry => {
    const number = NUMBERS[name];
    return { name, number, fd, dir: iocDecode(number).dir, arg, argName: argName(arg), size: argSize(arg), summary };
  }).sort((a, b) => a.number - b.number || FD_ORDER[a.fd] - FD_ORDER[b.fd] || a.name.localeCompare(b.name)),
);
