/**
 * Every HTTP route of protocol v1, declared once: method, path, the schemas
 * of its params, query, body and response, the role it needs and, for an
 * action, the name it is audited under. The server registers its routes
 * from this table (and refuses to start with a route that is not in it), so
 * who may call a route is decided by the route the request matched — never
 * by how its URL happened to be spelled.
 *
 * Every route has a body rule and a query rule: GET routes take no body, a
 * POST/DELETE that declares no body accepts only an empty one (EmptyBody),
 * and a route that declares no query accepts none (EmptyQuery). Its response
 * schema is what a 200 answer carries: the server serializes with it, the
 * OpenAPI document (`openapi`) publishes it, and the web's client checks
 * answers against it (client.ts).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { HealthResponse, HostResponse, WhoamiResponse } from './rest/host.ts';
import { OpenApiDocument } from './rest/openapi.ts';
import { CloseGroupResponse, GroupParams, OpenGroupBody, OpenGroupResponse, TopologyResponse } from './rest/topology.ts';
import {
  BindBody,
  BindResponse,
  DeviceParams,
  DeviceResponse,
  IrqActionBody,
  IrqActionResponse,
  IrqParams,
  RegionParams,
  RegionReadBody,
  RegionReadResponse,
  RegionWriteBody,
  RegionWriteResponse,
} from './rest/devices.ts';
import { HotResetBody, HotResetResponse, ResetResponse } from './rest/reset.ts';
import {
  ContainerParams,
  ContainersResponse,
  MapBody,
  MapResponse,
  MappingsQuery,
  MappingsResponse,
  UnmapBody,
  UnmapResponse,
} from './rest/containers.ts';
import { AlertsResponse } from './rest/alerts.ts';
import { HostsResponse } from './rest/hosts.ts';
import { RECORDING_MEDIA_TYPE, RecordingUpload, ReplayControlBody, ReplayOpenQuery, ReplayResponse } from './rest/replay.ts';
import { ReportDocument, ReportQuery } from './rest/report.ts';
import {
  RecordingDownload,
  RecordingParams,
  RecordingsResponse,
  RecordingStatusResponse,
  StartRecordingBody,
  StopRecordingResponse,
} from './rest/recordings.ts';
import {
  EventsQuery,
  EventsResponse,
  HistoryQuery,
  HistoryResponse,
  IrqAffinityBody,
  IrqAffinityResponse,
  IrqTopQuery,
  IrqTopResponse,
  PinnedResponse,
} from './rest/telemetry.ts';
import { API_PREFIX, STREAM_PATH } from './version.ts';

/** public: no token (health, the UI's files); viewer: read and stream; operator: every action */
export type RouteRole = 'public' | 'viewer' | 'operator';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** Fastify path syntax (":name" parameters) */
  path: string;
  summary: string;
  role: RouteRole;
  /** the audit log's name for this action; only operator routes act */
  action?: string;
  params?: TSchema;
  query?: TSchema;
  /** POST/DELETE only; absent = the body must be empty */
  body?: TSchema;
  /** the media type of a body that is not JSON (the body schema then describes its bytes) */
  consumes?: string;
  response: TSchema;
  /** the media type of an answer that is not JSON (the response schema then describes its text) */
  produces?: string;
  /** a WebSocket upgrade, not a request/response route */
  websocket?: true;
}

/** The query of a route that takes none (the login token aside, which is not a route's input). */
export const EmptyQuery = Type.Object({}, { additionalProperties: false, description: 'no query parameters' });

/** The body of a POST/DELETE that takes none: nothing, or `{}`. */
export const EmptyBody = Type.Object({}, { additionalProperties: false, description: 'no body (or {})' });

/** Prometheus text exposition; its content is not JSON. */
export const MetricsText = Type.String({ description: 'Prometheus text format 0.0.4' });

/** The stream answers the upgrade; its messages are ServerMessage / ClientMessage. */
export const StreamUpgrade = Type.Null({ description: 'WebSocket: see ServerMessage and ClientMessage' });

function route<const S extends RouteSpec>(spec: S): S {
  return spec;
}

const P = API_PREFIX;

export const routes = {
  health: route({ method: 'GET', path: `${P}/health`, role: 'public', summary: 'liveness and protocol version', response: HealthResponse }),
  whoami: route({
    method: 'GET',
    path: `${P}/whoami`,
    role: 'viewer',
    summary: 'the role and id of the presented token',
    response: WhoamiResponse,
  }),
  host: route({
    method: 'GET',
    path: `${P}/host`,
    role: 'viewer',
    summary: 'kernel, IOMMU, VFIO modules and limits',
    response: HostResponse,
  }),
  topology: route({
    method: 'GET',
    path: `${P}/topology`,
    role: 'viewer',
    summary: 'IOMMU groups, devices and their owners',
    response: TopologyResponse,
  }),
  containers: route({
    method: 'GET',
    path: `${P}/containers`,
    role: 'viewer',
    summary: 'the containers vfioscope holds',
    response: ContainersResponse,
  }),
  groupOpen: route({
    method: 'POST',
    path: `${P}/groups/:group/open`,
    role: 'operator',
    action: 'group.open',
    summary: 'open /dev/vfio/N, attach it to a container, open its devices',
    params: GroupParams,
    body: OpenGroupBody,
    response: OpenGroupResponse,
  }),
  groupClose: route({
    method: 'POST',
    path: `${P}/groups/:group/close`,
    role: 'operator',
    action: 'group.close',
    summary: 'release a group vfioscope holds (IRQs off, device fds closed, unmapped, unset)',
    params: GroupParams,
    response: CloseGroupResponse,
  }),
  device: route({
    method: 'GET',
    path: `${P}/devices/:bdf`,
    role: 'viewer',
    summary: 'one device: PCI view, regions, IRQ indexes',
    params: DeviceParams,
    response: DeviceResponse,
  }),
  deviceReset: route({
    method: 'POST',
    path: `${P}/devices/:bdf/reset`,
    role: 'operator',
    action: 'device.reset',
    summary: 'VFIO_DEVICE_RESET, then config space read back: did the device come back?',
    params: DeviceParams,
    response: ResetResponse,
  }),
  deviceHotReset: route({
    method: 'POST',
    path: `${P}/devices/:bdf/hot-reset`,
    role: 'operator',
    action: 'device.hotReset',
    summary: 'VFIO_DEVICE_PCI_HOT_RESET with the fds of every affected group, then each held function verified',
    params: DeviceParams,
    body: HotResetBody,
    response: HotResetResponse,
  }),
  deviceIrq: route({
    method: 'POST',
    path: `${P}/devices/:bdf/irqs/:index`,
    role: 'operator',
    action: 'device.irqs',
    summary: 'VFIO_DEVICE_SET_IRQS: trigger, mask, unmask, disable',
    params: IrqParams,
    body: IrqActionBody,
    response: IrqActionResponse,
  }),
  regionRead: route({
    method: 'POST',
    path: `${P}/devices/:bdf/regions/:index/read`,
    role: 'operator',
    action: 'region.read',
    summary: 'pread from a device region',
    params: RegionParams,
    body: RegionReadBody,
    response: RegionReadResponse,
  }),
  regionWrite: route({
    method: 'POST',
    path: `${P}/devices/:bdf/regions/:index/write`,
    role: 'operator',
    action: 'region.write',
    summary: 'pwrite to a device region',
    params: RegionParams,
    body: RegionWriteBody,
    response: RegionWriteResponse,
  }),
  deviceBind: route({
    method: 'POST',
    path: `${P}/devices/:bdf/bind`,
    role: 'operator',
    action: 'device.bind',
    summary: 'bind to a driver through driver_override, or unbind',
    params: DeviceParams,
    body: BindBody,
    response: BindResponse,
  }),
  mappings: route({
    method: 'GET',
    path: `${P}/containers/:id/mappings`,
    role: 'viewer',
    summary: "a page of a container's DMA mapping table",
    params: ContainerParams,
    query: MappingsQuery,
    response: MappingsResponse,
  }),
  map: route({
    method: 'POST',
    path: `${P}/containers/:id/mappings`,
    role: 'operator',
    action: 'dma.map',
    summary: 'VFIO_IOMMU_MAP_DMA of memory vfioscope allocates',
    params: ContainerParams,
    body: MapBody,
    response: MapResponse,
  }),
  unmap: route({
    method: 'DELETE',
    path: `${P}/containers/:id/mappings`,
    role: 'operator',
    action: 'dma.unmap',
    summary: 'VFIO_IOMMU_UNMAP_DMA of a range or of everything',
    params: ContainerParams,
    body: UnmapBody,
    response: UnmapResponse,
  }),
  events: route({
    method: 'GET',
    path: `${P}/events`,
    role: 'viewer',
    summary: 'the event log',
    query: EventsQuery,
    response: EventsResponse,
  }),
  irqTop: route({
    method: 'GET',
    path: `${P}/irqs/top`,
    role: 'viewer',
    summary: 'the busiest vectors',
    query: IrqTopQuery,
    response: IrqTopResponse,
  }),
  irqHistory: route({
    method: 'GET',
    path: `${P}/irqs/history`,
    role: 'viewer',
    summary: "one vector's rate history",
    query: HistoryQuery,
    response: HistoryResponse,
  }),
  irqAffinity: route({
    method: 'POST',
    path: `${P}/irqs/affinity`,
    role: 'operator',
    action: 'irq.affinity',
    summary: "write a VFIO vector's /proc/irq/N/smp_affinity_list (root only; the kernel's errno otherwise)",
    body: IrqAffinityBody,
    response: IrqAffinityResponse,
  }),
  alerts: route({ method: 'GET', path: `${P}/alerts`, role: 'viewer', summary: 'storm and kernel alerts', response: AlertsResponse }),
  hosts: route({
    method: 'GET',
    path: `${P}/hosts`,
    role: 'viewer',
    summary: 'this host and its peers (serve --peers): up or down since when, and their fleet figures',
    response: HostsResponse,
  }),
  pinned: route({
    method: 'GET',
    path: `${P}/pinned`,
    role: 'viewer',
    summary: 'pinned memory and DMA entries against their limits',
    response: PinnedResponse,
  }),
  recordingStatus: route({
    method: 'GET',
    path: `${P}/recording`,
    role: 'viewer',
    summary: 'the recording this server is making of its own host, if any, and the last one that ended',
    response: RecordingStatusResponse,
  }),
  recordingStart: route({
    method: 'POST',
    path: `${P}/recording/start`,
    role: 'operator',
    action: 'recording.start',
    summary: "start recording this host's stream into the data dir's recordings/ (one at a time: EBUSY)",
    body: StartRecordingBody,
    response: RecordingStatusResponse,
  }),
  recordingStop: route({
    method: 'POST',
    path: `${P}/recording/stop`,
    role: 'operator',
    action: 'recording.stop',
    summary: 'stop the running recording: what was heard is written, then its end line',
    response: StopRecordingResponse,
  }),
  recordings: route({
    method: 'GET',
    path: `${P}/recordings`,
    role: 'viewer',
    summary: "the recordings in the server's data dir, newest first",
    response: RecordingsResponse,
  }),
  recordingDownload: route({
    method: 'GET',
    path: `${P}/recordings/:name`,
    role: 'viewer',
    summary: 'one recording file (gzip), as an attachment',
    params: RecordingParams,
    response: RecordingDownload,
    produces: 'application/gzip',
  }),
  report: route({
    method: 'GET',
    path: `${P}/report`,
    role: 'viewer',
    summary:
      'an alert (or a time range) as one self-contained HTML report, as an attachment: what happened, the rate chart, kernel messages, actions, host facts',
    query: ReportQuery,
    response: ReportDocument,
    produces: 'text/html',
  }),
  stream: route({
    method: 'GET',
    path: STREAM_PATH,
    role: 'viewer',
    websocket: true,
    summary: 'the live stream (WebSocket)',
    response: StreamUpgrade,
  }),
  /** viewer by default; `serve --metrics-public` makes it public for loopback-only scrapes */
  metrics: route({
    method: 'GET',
    path: '/metrics',
    role: 'viewer',
    summary: 'Prometheus metrics',
    response: MetricsText,
    produces: 'text/plain',
  }),
  openapi: route({
    method: 'GET',
    path: `${P}/openapi.json`,
    role: 'viewer',
    summary: 'this table as an OpenAPI 3.1 document',
    response: OpenApiDocument,
  }),
  replay: route({
    method: 'GET',
    path: `${P}/replay`,
    role: 'viewer',
    summary: 'the recording this server replays (serve --replay): its facts, the position, the moments to jump to; ENODATA when live',
    response: ReplayResponse,
  }),
  /** a viewer may drive the timeline: a replay changes nothing on any host */
  replayControl: route({
    method: 'POST',
    path: `${P}/replay`,
    role: 'viewer',
    summary: 'play, pause, change speed or seek the replay',
    body: ReplayControlBody,
    response: ReplayResponse,
  }),
  /** an operator's, audited: the bytes are held by the server, and what everyone watching sees changes */
  replayOpen: route({
    method: 'POST',
    path: `${P}/replay/open`,
    role: 'operator',
    action: 'replay.open',
    summary: 'replay another recording (its file as the body, gzip): the timeline starts again at its beginning; ENODATA when live',
    query: ReplayOpenQuery,
    body: RecordingUpload,
    consumes: RECORDING_MEDIA_TYPE,
    response: ReplayResponse,
  }),
} as const;

export type RouteName = keyof typeof routes;
export type Routes = typeof routes;

/** Every entry of the table with its name (Object.entries would forget the names' type). */
export function routeEntries(): [RouteName, RouteSpec][] {
  return (Object.keys(routes) as RouteName[]).map((name) => [name, routes[name]]);
}

type StaticOr<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

/** What a route receives, typed from its schemas (Fastify's RouteGeneric shape). */
export interface RouteInput<R extends RouteSpec> {
  Params: StaticOr<R['params'], Record<string, never>>;
  Querystring: StaticOr<R['query'], Record<string, never>>;
  Body: StaticOr<R['body'], Static<typeof EmptyBody>>;
}

/** What a route answers with. */
export type RouteOutput<R extends RouteSpec> = Static<R['response']>;

/**
 * A route's path with its `:name` parameters filled in, each one URL-encoded
 * (a BDF's colons included). Throws when the path names a parameter that is
 * not given: a URL with a literal ":bdf" in it would reach some other route.
 */
export function routePath(spec: Pick<RouteSpec, 'path'>, params: Readonly<Record<string, string | number>> = {}): string {
  return spec.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${spec.path}`);
    return encodeURIComponent(String(v));
  });
}

/** The routes a token of this role may call (public ones included). */
export function roleAllows(have: 'viewer' | 'operator' | null, need: RouteRole): boolean {
  if (need === 'public') return true;
  if (have === null) return false;
  return need === 'viewer' || have === 'operator';
}
