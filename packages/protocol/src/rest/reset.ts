/**
 * Reset, told truthfully: what the kernel offers for a device (sysfs
 * reset_method, VFIO_DEVICE_FLAGS_RESET, the functions a hot reset would take
 * along) and what config space said right after a reset vfioscope did.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf } from '../primitives.ts';
import { ProblemCode } from '../problems.ts';

export const ResetVerificationView = Type.Object({
  bdf: Bdf,
  /** VFIO_DEVICE_RESET, or a hot (bus) reset that took this function along */
  how: Type.Union([Type.Literal('function'), Type.Literal('hot')]),
  /** ms since the epoch */
  ts: Type.Number(),
  vendorId: Type.Integer(),
  deviceId: Type.Integer(),
  /** the raw header type byte (bit 7: multi-function); 0xff when the device is gone */
  headerType: Type.Integer(),
  /** false when config space read all-ones: vendor 0xffff or header type 0x7f */
  cameBack: Type.Boolean(),
  summary: Type.String(),
});
export type ResetVerificationView = Static<typeof ResetVerificationView>;

export const HotResetDependentView = Type.Object({
  bdf: Bdf,
  /** its IOMMU group (on a cdev-opened device with VFIO_PCI_HOT_RESET_FLAG_DEV_ID: its iommufd devid) */
  id: Type.Integer(),
});
export type HotResetDependentView = Static<typeof HotResetDependentView>;

export const DeviceResetView = Type.Object({
  /** sysfs reset_method in the kernel's order; empty: the PCI core has no way to reset it */
  methods: Type.Array(Type.String()),
  /** VFIO_DEVICE_FLAGS_RESET; null while vfioscope holds no device fd (only the fd can ask) */
  vfioReset: Type.Union([Type.Boolean(), Type.Null()]),
  /**
   * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: what a hot reset would take along, or the kernel's errno
   * (ENODEV: no slot or bus reset can reach it); null while vfioscope holds no device fd
   */
  hotReset: Type.Union([
    Type.Object({
      devices: Type.Array(HotResetDependentView),
      /** the ids are iommufd devids (VFIO_PCI_HOT_RESET_FLAG_DEV_ID): 0 owned through its group, 0xffffffff not owned */
      devid: Type.Boolean(),
      error: Type.Union([ProblemCode, Type.Null()]),
    }),
    Type.Null(),
  ]),
  /** the last reset vfioscope did of this function and what config space said after it */
  last: Type.Union([ResetVerificationView, Type.Null()]),
});
export type DeviceResetView = Static<typeof DeviceResetView>;

export const ResetResponse = Type.Object({ bdf: Bdf, reset: Type.Literal(true), verification: ResetVerificationView });
export type ResetResponse = Static<typeof ResetResponse>;

export const HotResetBody = Type.Object(
  {
    /** the functions the operator confirmed the reset takes along; refused if the kernel now names others */
    affected: Type.Array(Bdf, { minItems: 1, maxItems: 256 }),
  },
  { additionalProperties: false },
);
export type HotResetBody = Static<typeof HotResetBody>;

export const HotResetResponse = Type.Object({
  bdf: Bdf,
  affected: Type.Array(HotResetDependentView),
  /** the functions whose fds vfioscope held, checked after the reset */
  verifications: Type.Array(ResetVerificationView),
});
export type HotResetResponse = Static<typeof HotResetResponse>;
