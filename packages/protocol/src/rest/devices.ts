/**
 * /api/v1/devices/:bdf…: one device fd's view — VFIO_DEVICE_GET_INFO, its
 * regions (PCI fixed index map: BAR0–5, ROM, CONFIG, VGA) and IRQ indexes
 * (INTx, MSI, MSI-X, ERR, REQ) with what vfioscope has enabled and masked,
 * the decoded PCI config header — and the actions on it: reset, SET_IRQS,
 * region read/write, driver bind.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf, DecimalString, Hex64, HexBytes, IrqIndexName, U64Input } from '../primitives.ts';
import { DeviceResetView } from './reset.ts';
import { PciDeviceView } from './topology.ts';

export const DeviceParams = Type.Object({ bdf: Bdf });
export type DeviceParams = Static<typeof DeviceParams>;

export const RegionView = Type.Object({
  index: Type.Integer(),
  /** "BAR0" … "BAR5", "ROM", "CONFIG", "VGA", or "REGION<n>" for device-specific ones */
  name: Type.String(),
  flags: Type.Integer(),
  /** READ, WRITE, MMAP, CAPS */
  flagNames: Type.Array(Type.String()),
  size: Hex64,
  offset: Hex64,
  capabilities: Type.Array(Type.Integer()),
});
export type RegionView = Static<typeof RegionView>;

export const IrqIndexView = Type.Object({
  index: Type.Integer(),
  name: IrqIndexName,
  flags: Type.Integer(),
  /** EVENTFD, MASKABLE, AUTOMASKED, NORESIZE */
  flagNames: Type.Array(Type.String()),
  count: Type.Integer(),
  /** vfioscope has wired trigger eventfds on this index */
  enabled: Type.Boolean(),
  /** per-vector masked state for maskable (INTx) indexes, null otherwise */
  masked: Type.Union([Type.Array(Type.Boolean()), Type.Null()]),
  vectorsWired: Type.Integer(),
});
export type IrqIndexView = Static<typeof IrqIndexView>;

export const PciCapabilityView = Type.Object({
  /** capability id, e.g. 0x05 MSI, 0x10 PCI Express, 0x11 MSI-X */
  id: Type.Integer(),
  name: Type.String(),
  offset: Type.Integer(),
  /** extended (PCIe, offset ≥ 0x100) capability */
  extended: Type.Boolean(),
});
export type PciCapabilityView = Static<typeof PciCapabilityView>;

export const PciConfigHeaderView = Type.Object({
  vendorId: Type.Integer(),
  deviceId: Type.Integer(),
  command: Type.Integer(),
  status: Type.Integer(),
  revision: Type.Integer(),
  classCode: Type.Integer(),
  headerType: Type.Integer(),
  multiFunction: Type.Boolean(),
  /** the raw BAR registers (type 0 header: 6, type 1: 2) */
  bars: Type.Array(Type.Integer()),
  subsystemVendorId: Type.Union([Type.Integer(), Type.Null()]),
  subsystemId: Type.Union([Type.Integer(), Type.Null()]),
  capabilitiesPointer: Type.Integer(),
  interruptLine: Type.Integer(),
  interruptPin: Type.Integer(),
});
export type PciConfigHeaderView = Static<typeof PciConfigHeaderView>;

export const DeviceStateView = Type.Object({
  info: Type.Object({
    flags: Type.Integer(),
    /** PCI, RESET, PLATFORM, … */
    flagNames: Type.Array(Type.String()),
    numRegions: Type.Integer(),
    numIrqs: Type.Integer(),
  }),
  regions: Type.Array(RegionView),
  irqs: Type.Array(IrqIndexView),
  config: Type.Union([Type.Object({ header: PciConfigHeaderView, capabilities: Type.Array(PciCapabilityView) }), Type.Null()]),
});
export type DeviceStateView = Static<typeof DeviceStateView>;

export const DeviceResponse = Type.Object({
  bdf: Bdf,
  group: Type.Union([Type.Integer(), Type.Null()]),
  pci: PciDeviceView,
  /** vfioscope holds the device's group (so the device fd can be opened) */
  groupOpen: Type.Boolean(),
  /** the device fd view; null while vfioscope holds no fd for it (see reason) */
  state: Type.Union([DeviceStateView, Type.Null()]),
  reason: Type.Optional(Type.String()),
  /** reset methods, VFIO reset, hot-reset dependencies and the last reset's verification */
  reset: DeviceResetView,
});
export type DeviceResponse = Static<typeof DeviceResponse>;

/** :index as the number (0–4) or the name, any case ("msix", "INTX") */
export const IrqParams = Type.Object({
  bdf: Bdf,
  index: Type.String({ pattern: '^([0-9]{1,2}|[iI][nN][tT][xX]|[mM][sS][iI]|[mM][sS][iI][xX]|[eE][rR][rR]|[rR][eE][qQ])$' }),
});
export type IrqParams = Static<typeof IrqParams>;

export const IrqAction = Type.Union([Type.Literal('trigger'), Type.Literal('mask'), Type.Literal('unmask'), Type.Literal('disable')]);
export type IrqAction = Static<typeof IrqAction>;

export const IrqActionBody = Type.Object(
  {
    /** trigger: wire one eventfd per vector; mask/unmask: INTx only; disable: tear the index down */
    action: IrqAction,
    start: Type.Optional(Type.Integer({ minimum: 0, maximum: 2047, default: 0 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 2048, default: 1 })),
  },
  { additionalProperties: false },
);
export type IrqActionBody = Static<typeof IrqActionBody>;

export const IrqActionResponse = Type.Object({
  bdf: Bdf,
  index: Type.Integer(),
  name: IrqIndexName,
  action: IrqAction,
  start: Type.Integer(),
  count: Type.Integer(),
});
export type IrqActionResponse = Static<typeof IrqActionResponse>;

export const RegionParams = Type.Object({ bdf: Bdf, index: DecimalString });
export type RegionParams = Static<typeof RegionParams>;

/** Longest single read or write, bytes. */
export const REGION_IO_MAX = 4096;

export const RegionReadBody = Type.Object(
  { offset: U64Input, size: Type.Integer({ minimum: 1, maximum: REGION_IO_MAX }) },
  { additionalProperties: false },
);
export type RegionReadBody = Static<typeof RegionReadBody>;

export const RegionReadResponse = Type.Object({
  bdf: Bdf,
  index: Type.Integer(),
  offset: Hex64,
  size: Type.Integer(),
  data: HexBytes,
});
export type RegionReadResponse = Static<typeof RegionReadResponse>;

export const RegionWriteBody = Type.Object(
  { offset: U64Input, data: Type.String({ ...HexBytes, minLength: 2 }) },
  { additionalProperties: false },
);
export type RegionWriteBody = Static<typeof RegionWriteBody>;

export const RegionWriteResponse = Type.Object({
  bdf: Bdf,
  index: Type.Integer(),
  offset: Hex64,
  written: Type.Integer(),
});
export type RegionWriteResponse = Static<typeof RegionWriteResponse>;

export const BindBody = Type.Object(
  {
    /** bind to this driver (e.g. "vfio-pci"); null unbinds and clears driver_override */
    driver: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type BindBody = Static<typeof BindBody>;

export const BindResponse = Type.Object({
  bdf: Bdf,
  driver: Type.Union([Type.String(), Type.Null()]),
});
export type BindResponse = Static<typeof BindResponse>;
