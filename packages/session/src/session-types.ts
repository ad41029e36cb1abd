/**
 * The shapes a DriveSession reports: what vfioscope owns in the kernel when
 * it acts as the userspace driver (groups, containers, device fds, wired IRQ
 * eventfds, DMA mappings), and the events it emits for every action.
 */
import type { Bdf, DeviceInfo, EventFd, IommuInfo, IommuKind, IrqIndexName, IrqInfo, RegionInfo } from '@vfioscope/host';

export interface OwnedGroup {
  group: number;
  container: number;
  /** devices whose fd this session has open */
  devices: Bdf[];
}

/** An IOMMU context the session holds: a VFIO container or an iommufd IOAS (the API calls both "container"). */
export interface OwnedContainer {
  /** the session's id for it */
  id: number;
  /** who serves it: type1, iommufd's compat container, or an IOAS */
  kind: IommuKind;
  groups: number[];
  /** page sizes, IOVA ranges and (type1) dma_avail as the kernel reported them last */
  iommuInfo: IommuInfo | null;
  mappingCount: number;
  /** bytes pinned by this container's mappings (type1 pins every mapped page) */
  pinnedBytes: bigint;
}

export type IrqAction = 'trigger' | 'mask' | 'unmask' | 'disable';

export interface SetIrqsRequest {
  index: number;
  action: IrqAction;
  start: number;
  count: number;
}

/** An IRQ index as the kernel reports it plus what this session has done with it. */
export interface IrqIndexState extends IrqInfo {
  /** PCI name of the index, null when the index is not a PCI one */
  name: IrqIndexName | null;
  /** this session has eventfds wired for TRIGGER on it */
  enabled: boolean;
  /**
   * INTx only (null otherwise): per vector, masked by an explicit MASK or by the
   * kernel's auto-mask when it fired (seen as a count on its eventfd), until UNMASK.
   */
  masked: boolean[] | null;
  vectorsWired: number;
  /** errno name when VFIO_DEVICE_GET_IRQ_INFO failed for this index (ERR on a conventional PCI function) */
  error: string | null;
}

export interface RegionState extends RegionInfo {
  /** errno name when VFIO_DEVICE_GET_REGION_INFO failed for this index (e.g. VGA on a non-VGA device) */
  error: string | null;
}

export interface DeviceState {
  bdf: Bdf;
  group: number;
  info: DeviceInfo;
  regions: RegionState[];
  irqs: IrqIndexState[];
}

export interface MappingRow {
  iova: bigint;
  size: bigint;
  vaddr: bigint;
  read: boolean;
  write: boolean;
  /** pages pinned for the mapping (size / host page size) */
  pages: number;
}

/**
 * What changed in a container's mapping table since a version a reader saw:
 * per IOVA touched, the row now there (added) or null (removed).
 */
export interface MappingChanges {
  /** the table's version now; pass it to the next mappingChanges() */
  version: number;
  /** mappings in the table now */
  total: number;
  changes: { iova: bigint; row: MappingRow | null }[];
}

export interface MappingSort {
  by: 'iova' | 'size' | 'vaddr';
  order?: 'asc' | 'desc';
}

export interface MapDmaRequest {
  iova: bigint;
  size: bigint;
  read: boolean;
  write: boolean;
}

export type UnmapDmaRequest = { iova: bigint; size: bigint } | { all: true };

export interface WiredVector {
  /** `${bdf}/${indexName}/${vector}`, the same key telemetry uses (see vectorKey) */
  key: string;
  bdf: Bdf;
  index: number;
  indexName: IrqIndexName;
  vector: number;
  eventfd: EventFd;
}

/** What config space said right after a reset of one function (reset-verify.ts). */
export interface ResetVerification {
  bdf: Bdf;
  /** VFIO_DEVICE_RESET, or a hot (bus) reset that took this function along */
  how: 'function' | 'hot';
  /** Date.now() of the check */
  ts: number;
  vendorId: number;
  deviceId: number;
  /** the raw header type byte (bit 7: multi-function) */
  headerType: number;
  /** false when config space reads all-ones: vendor 0xffff or header type 0x7f */
  cameBack: boolean;
  /** one sentence for the operator */
  summary: string;
}

/** A hot reset's outcome: every function it took along, and the verification of those vfioscope holds. */
export interface HotResetResult {
  bdf: Bdf;
  /** the functions the kernel named (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO) with their group (or iommufd devid) */
  affected: { bdf: Bdf; id: number }[];
  verifications: ResetVerification[];
}

export type SessionOp =
  | 'openGroup'
  | 'closeGroup'
  | 'openDevice'
  | 'setIrqs'
  | 'reset'
  | 'hotReset'
  | 'regionRead'
  | 'regionWrite'
  | 'mapDma'
  | 'unmapDma'
  | 'close';

/**
 * One action attempt and its outcome. Values are JSON-safe (bigints as 0x hex
 * strings, bytes as hex) so an audit or event log can write them as they are.
 */
export interface SessionEvent {
  /** Date.now() when the action finished */
  ts: number;
  op: SessionOp;
  ok: boolean;
  params: Record<string, unknown>;
  result?: Record<string, unknown>;
  /** kernel errno name on failure */
  errno?: string;
  /**
   * the kernel did what was asked but the outcome is trouble, e.g. a reset the
   * device did not come back from; the event log shows it as an alert
   */
  warning?: string;
  /** the operation that failed (e.g. VFIO_IOMMU_MAP_DMA) */
  failedOp?: string;
  message?: string;
  device?: Bdf;
  group?: number;
  container?: number;
  durationMs: number;
}
