/**
 * The REST routes of protocol v1, as path builders, so the web app and the
 * server agree on every URL. Method and body schema are noted beside each.
 */
import { API_PREFIX } from './version.ts';

const enc = encodeURIComponent;

export const apiPaths = {
  /** GET → HealthResponse (no auth) */
  health: () => `${API_PREFIX}/health`,
  /** GET → WhoamiResponse */
  whoami: () => `${API_PREFIX}/whoami`,
  /** GET → HostResponse */
  host: () => `${API_PREFIX}/host`,
  /** GET → TopologyResponse */
  topology: () => `${API_PREFIX}/topology`,
  /** POST OpenGroupBody → OpenGroupResponse */
  groupOpen: (group: number) => `${API_PREFIX}/groups/${group}/open`,
  /** POST (no body) → CloseGroupResponse */
  groupClose: (group: number) => `${API_PREFIX}/groups/${group}/close`,
  /** GET → DeviceResponse */
  device: (bdf: string) => `${API_PREFIX}/devices/${enc(bdf)}`,
  /** POST (no body) → ResetResponse */
  deviceReset: (bdf: string) => `${API_PREFIX}/devices/${enc(bdf)}/reset`,
  deviceHotReset: (bdf: string) => `${API_PREFIX}/devices/${enc(bdf)}/hot-reset`,
  /** POST IrqActionBody → IrqActionResponse; index is 0–4 or INTX/MSI/MSIX/ERR/REQ */
  deviceIrq: (bdf: string, index: number | string) => `${API_PREFIX}/devices/${enc(bdf)}/irqs/${index}`,
  /** POST RegionReadBody → RegionReadResponse */
  regionRead: (bdf: string, index: number) => `${API_PREFIX}/devices/${enc(bdf)}/regions/${index}/read`,
  /** POST RegionWriteBody → RegionWriteResponse */
  regionWrite: (bdf: string, index: number) => `${API_PREFIX}/devices/${enc(bdf)}/regions/${index}/write`,
  /** POST BindBody → BindResponse */
  deviceBind: (bdf: string) => `${API_PREFIX}/devices/${enc(bdf)}/bind`,
  /** GET → ContainersResponse */
  containers: () => `${API_PREFIX}/containers`,
  /** GET ?offset&limit&sort → MappingsResponse; POST MapBody → MapResponse; DELETE UnmapBody → UnmapResponse */
  mappings: (container: number) => `${API_PREFIX}/containers/${container}/mappings`,
  /** GET ?sinceSeq&kinds&text&limit → EventsResponse */
  events: () => `${API_PREFIX}/events`,
  /** GET ?limit → IrqTopResponse (highest rates first) */
  irqTop: () => `${API_PREFIX}/irqs/top`,
  /** GET ?key&resolution → HistoryResponse */
  irqHistory: () => `${API_PREFIX}/irqs/history`,
  /** POST IrqAffinityBody → IrqAffinityResponse */
  irqAffinity: () => `${API_PREFIX}/irqs/affinity`,
  /** GET → AlertsResponse */
  alerts: () => `${API_PREFIX}/alerts`,
  /** GET → PinnedResponse */
  pinned: () => `${API_PREFIX}/pinned`,
  /** WebSocket */
  stream: () => `${API_PREFIX}/stream`,
  /** Prometheus text (not under the API prefix) */
  metrics: () => '/metrics',
} as const;
