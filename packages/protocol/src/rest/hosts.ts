/**
 * GET /api/v1/hosts: a vfioscope server started with `--peers` fronts other
 * vfioscope servers (its peers) besides its own host. It lists each host —
 * itself first — with whether it is reachable and since when, and the
 * figures a fleet view ranks hosts by, taken from the peer's own stream
 * topics (host, topology, pinned, alerts) and kept when the peer goes away.
 *
 * Every other route of the table is also served per host under
 * `/api/v1/hosts/<name>/…` (hostApiPath), and stream topics take the host as
 * a prefix (`hosts/<name>/irq-rates`, see stream/topics.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../primitives.ts';
import { Backend } from './host.ts';
import { API_PREFIX } from '../version.ts';

/** A host's name in the fleet: what the peers file calls it (or the server's --name). Unanchored, for use inside other patterns. */
export const HOST_NAME_SOURCE = '[A-Za-z0-9][A-Za-z0-9._-]{0,62}';
export const HOST_NAME_PATTERN = `^${HOST_NAME_SOURCE}$`;
export const HostName = Type.String({ pattern: HOST_NAME_PATTERN, description: 'a host name in the fleet' });

export const HostParams = Type.Object({ host: HostName });
export type HostParams = Static<typeof HostParams>;

/**
 * The header a hub names the human behind a proxied action with. A peer
 * honours it only from a token its tokens file marks as a hub's
 * (`hub:TOKEN`), and refuses any other token that sends it.
 */
export const ON_BEHALF_OF_HEADER = 'x-vfioscope-on-behalf-of' as const;

/** The worst of one kind of headroom: the fraction still free (0–1) of whom (a container or a process). */
export const Headroom = Type.Object({
  /** 1 − used / limit */
  free: Type.Number(),
  used: Type.Number(),
  limit: Type.Number(),
  scope: Type.Union([Type.Literal('container'), Type.Literal('process')]),
  /** the container id or the pid */
  id: Type.Integer(),
  /** the VM's name or the process's comm, when it is a process */
  name: Type.Optional(Type.String()),
});
export type Headroom = Static<typeof Headroom>;

export const HostFigures = Type.Object({
  /** when the data behind these figures was sampled (the host's clock) */
  t: Timestamp,
  hostname: Type.String(),
  kernel: Type.String(),
  backend: Backend,
  scenario: Type.Optional(Type.String()),
  groups: Type.Object({
    total: Type.Integer(),
    viable: Type.Integer(),
    /** held by a QEMU VM (an owner with a VM name) */
    heldByVms: Type.Integer(),
    /** held by this host's vfioscope */
    heldByVfioscope: Type.Integer(),
  }),
  alerts: Type.Object({
    /** interrupt storms active now */
    storms: Type.Integer(),
    /** kernel alerts (IOMMU fault storms, memlock refusals, disabled IRQs, …) active now */
    kernel: Type.Integer(),
  }),
  /** the pinned-memory budget (RLIMIT_MEMLOCK) with the least room left; null when nothing pinned has a limit */
  memlock: Type.Union([Headroom, Type.Null()]),
  /** the container with the fewest DMA entries left under dma_entry_limit; null when none has a limit */
  dmaEntries: Type.Union([Headroom, Type.Null()]),
  /** IOMMU faults the kernel logged in the last minute, all devices */
  iommuFaultsPerMinute: Type.Integer({ minimum: 0 }),
  vectors: Type.Object({ inUse: Type.Integer(), limit: Type.Integer() }),
});
export type HostFigures = Static<typeof HostFigures>;

/** How the hub's link to a peer fares: reconnects, and what it dropped rather than queue without bound. */
export const PeerLinkStats = Type.Object({
  /** the hub's token's role on the peer (from its stream's hello); null until it has answered */
  access: Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Null()]),
  reconnects: Type.Integer(),
  /** proxied requests refused because the peer already had its fill in flight and queued */
  droppedRequests: Type.Integer(),
  /** relayed stream deltas not sent to a browser whose socket was backed up (it got a snapshot later) */
  skippedDeltas: Type.Integer(),
});
export type PeerLinkStats = Static<typeof PeerLinkStats>;

export const HostSummary = Type.Object({
  name: HostName,
  /** this server's own host */
  self: Type.Boolean(),
  /** the peer's base URL (peers only) */
  url: Type.Optional(Type.String()),
  state: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  /** when state last changed */
  since: Timestamp,
  /** why it is down (the connection's error), when it is */
  reason: Type.Optional(Type.String()),
  /** the last figures known — kept while the host is down; null before it has ever answered */
  figures: Type.Union([HostFigures, Type.Null()]),
  link: Type.Optional(PeerLinkStats),
});
export type HostSummary = Static<typeof HostSummary>;

export const HostsResponse = Type.Object({ hosts: Type.Array(HostSummary) });
export type HostsResponse = Static<typeof HostsResponse>;

/** Where the hosts routes live; `${HOSTS_PATH}/<name>/…` is any route of that host. */
export const HOSTS_PATH = `${API_PREFIX}/hosts` as const;

/**
 * The one route a server registers outside the table: the table again, per
 * host (Fastify path syntax). Not a contract of its own — each request under
 * it is the inner route's, with that route's role, schemas and answer.
 */
export const HOST_MIRROR_PATH = `${HOSTS_PATH}/:host/*` as const;

/**
 * A route's path (as routePath gives it, "/api/v1/…") on one host of the
 * fleet: "/api/v1/topology" on "gpu-07" is "/api/v1/hosts/gpu-07/topology".
 */
export function hostApiPath(host: string, path: string): string {
  if (!path.startsWith(`${API_PREFIX}/`)) throw new Error(`${path} is not under ${API_PREFIX}`);
  return `${HOSTS_PATH}/${encodeURIComponent(host)}${path.slice(API_PREFIX.length)}`;
}
