/**
 * GET /api/v1/health, /host, /whoami: what the server runs on — the kernel,
 * the IOMMU, the VFIO module parameters and the limits that bound VFIO
 * (RLIMIT_MEMLOCK, dma_entry_limit, interrupt vectors).
 */
import { Type, type Static } from '@sinclair/typebox';
import { IommuKindView, Role } from '../primitives.ts';

export const Backend = Type.Union([Type.Literal('sim'), Type.Literal('linux')]);
export type Backend = Static<typeof Backend>;

export const HealthResponse = Type.Object({
  status: Type.Literal('ok'),
  protocolVersion: Type.Integer(),
  backend: Backend,
  scenario: Type.Optional(Type.String()),
  tickHz: Type.Number(),
  uptimeMs: Type.Number(),
  /** where a signed-out operator finds the token: the server's <data-dir>/session-token (when it made its own) */
  sessionTokenFile: Type.Optional(Type.String()),
});
export type HealthResponse = Static<typeof HealthResponse>;

export const WhoamiResponse = Type.Object({
  role: Role,
  /** a short public id of the token (never the token itself), as written in the audit log */
  tokenId: Type.String(),
  protocolVersion: Type.Integer(),
});
export type WhoamiResponse = Static<typeof WhoamiResponse>;

export const HostInfoView = Type.Object({
  backend: Backend,
  hostname: Type.String(),
  kernel: Type.String(),
  iommu: Type.Object({
    present: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    groupCount: Type.Integer(),
  }),
  /** interrupt remapping present (or unsafe interrupts allowed); null = unknown */
  interruptRemapping: Type.Union([Type.Boolean(), Type.Null()]),
  modules: Type.Object({
    vfio: Type.Boolean(),
    vfioPci: Type.Boolean(),
    vfioIommuType1: Type.Boolean(),
    allowUnsafeInterrupts: Type.Union([Type.Boolean(), Type.Null()]),
    dmaEntryLimit: Type.Union([Type.Integer(), Type.Null()]),
  }),
  /** RLIMIT_MEMLOCK of the vfioscope process in bytes, null = unlimited */
  memlockLimit: Type.Union([Type.Number(), Type.Null()]),
  /** the VFIO uAPIs the kernel offers: the legacy container (type1 or iommufd's compat), /dev/iommu, the device cdev */
  uapi: Type.Object({
    container: Type.Union([Type.Literal('type1'), Type.Literal('iommufd-compat'), Type.Null()]),
    iommufd: Type.Boolean(),
    cdev: Type.Boolean(),
  }),
  pageSize: Type.Integer(),
  cpus: Type.Integer(),
  vectorLimit: Type.Integer(),
  scenario: Type.Optional(Type.String()),
});
export type HostInfoView = Static<typeof HostInfoView>;

/** The IOMMU path vfioscope drives (serve --iommu): what was asked, and the kind of context it makes here. */
export const DriveModeView = Type.Object({
  iommu: Type.Union([Type.Literal('auto'), Type.Literal('type1'), Type.Literal('iommufd')]),
  kind: Type.Union([IommuKindView, Type.Null()]),
  /** why kind is null: the kernel lacks the asked-for path */
  reason: Type.Optional(Type.String()),
});
export type DriveModeView = Static<typeof DriveModeView>;

export const HostResponse = Type.Object({
  info: HostInfoView,
  drive: DriveModeView,
  /** interrupt vectors currently in use by VFIO devices (all owners) against info.vectorLimit */
  vectorsInUse: Type.Integer(),
  tickHz: Type.Number(),
});
export type HostResponse = Static<typeof HostResponse>;
