/**
 * GET /api/v1/topology and POST /api/v1/groups/:group/open|close: IOMMU
 * groups (the unit of ownership) → PCI devices, viability and why not, which
 * processes hold each group, and which container vfioscope attached it to.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf, DecimalString, IommuKindView, IrqIndexName } from '../primitives.ts';

export const PciDeviceView = Type.Object({
  bdf: Bdf,
  vendorId: Type.Integer(),
  deviceId: Type.Integer(),
  subsystemVendorId: Type.Integer(),
  subsystemDeviceId: Type.Integer(),
  /** 24-bit class code */
  classCode: Type.Integer(),
  driver: Type.Union([Type.String(), Type.Null()]),
  driverOverride: Type.Union([Type.String(), Type.Null()]),
  numaNode: Type.Integer(),
  iommuGroup: Type.Union([Type.Integer(), Type.Null()]),
  /** sysfs reset_method in the kernel's order (flr, af_flr, pm, bus, device_specific, cxl_bus); empty: none */
  resetMethods: Type.Array(Type.String()),
  vendorName: Type.Optional(Type.String()),
  deviceName: Type.Optional(Type.String()),
  physfn: Type.Optional(Bdf),
});
export type PciDeviceView = Static<typeof PciDeviceView>;

export const GroupOwnerView = Type.Object({
  pid: Type.Integer(),
  /** how it holds the group: its /dev/vfio/N, or device cdevs with /dev/iommu */
  via: Type.Union([Type.Literal('group'), Type.Literal('cdev')]),
  comm: Type.String(),
  /** the guest's name from QEMU's -name (libvirt's domain name), null for other processes */
  vm: Type.Union([Type.String(), Type.Null()]),
  cmdline: Type.String(),
  /** the owner is this vfioscope server */
  self: Type.Boolean(),
  lockedBytes: Type.Number(),
  pinnedBytes: Type.Number(),
  memlockLimit: Type.Union([Type.Number(), Type.Null()]),
});
export type GroupOwnerView = Static<typeof GroupOwnerView>;

/**
 * What vfioscope holds through a group it opened, i.e. what releasing it tears down (in the kernel's
 * order: IRQs off, device fds closed, the container's mappings unmapped if this is its last group).
 */
export const HeldGroupView = Type.Object({
  container: Type.Integer(),
  /** who serves the context: type1, iommufd's compat container, or an IOAS (the group's devices attached through their cdevs) */
  kind: IommuKindView,
  /** other groups attached to the same container: while any remains, the mappings stay */
  otherGroups: Type.Array(Type.Integer()),
  mappings: Type.Integer(),
  pinnedBytes: Type.Number(),
  /** interrupt vectors vfioscope has wired on the group's devices */
  irqs: Type.Array(Type.Object({ bdf: Bdf, index: IrqIndexName, vectors: Type.Integer() })),
});
export type HeldGroupView = Static<typeof HeldGroupView>;

export const GroupView = Type.Object({
  id: Type.Integer(),
  devices: Type.Array(Bdf),
  viable: Type.Boolean(),
  /** devices that make the group not viable, with their drivers */
  blockers: Type.Array(Type.Object({ bdf: Bdf, driver: Type.String() })),
  owners: Type.Array(GroupOwnerView),
  /** the container vfioscope attached this group to, null when vfioscope does not hold it */
  container: Type.Union([Type.Integer(), Type.Null()]),
  /** device fds vfioscope has open in this group */
  openDevices: Type.Array(Bdf),
  /** what vfioscope holds through this group (null when it does not hold it) */
  held: Type.Union([HeldGroupView, Type.Null()]),
});
export type GroupView = Static<typeof GroupView>;

export const TopologyResponse = Type.Object({
  groups: Type.Array(GroupView),
  devices: Type.Array(PciDeviceView),
});
export type TopologyResponse = Static<typeof TopologyResponse>;

export const GroupParams = Type.Object({ group: DecimalString });
export type GroupParams = Static<typeof GroupParams>;

export const OpenGroupBody = Type.Object(
  {
    /** attach to this existing vfioscope container; omitted = a new container (SET_IOMMU TYPE1v2) */
    container: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type OpenGroupBody = Static<typeof OpenGroupBody>;

export const OpenGroupResponse = Type.Object({
  group: Type.Integer(),
  container: Type.Integer(),
  /** who serves the context the group went into: a type1 container, iommufd's compat container, an IOAS */
  kind: IommuKindView,
  /** device fds opened with the group (its vfio-pci devices; on Linux opening one resets the function) */
  devices: Type.Optional(Type.Array(Bdf)),
});
export type OpenGroupResponse = Static<typeof OpenGroupResponse>;

export const CloseGroupResponse = Type.Object({ group: Type.Integer(), closed: Type.Literal(true) });
export type CloseGroupResponse = Static<typeof CloseGroupResponse>;
