/**
 * A vfioscope server and the peers it fronts (serve --peers): one PeerLink
 * (stream + health), one REST transport behind a bounded request gate, and
 * the figures kept from the link, per peer. Nothing here waits on a peer to
 * answer a question about the fleet: GET /hosts reads what the links last
 * heard, so one slow or dead peer never slows the listing of the others.
 */
import { hostname } from 'node:os';
import { HOST_NAME_PATTERN, type HostFigures, type HostSummary } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { currentTopology } from '../routes/read.ts';
import { alertViews, pinnedView } from '../views/telemetry-view.ts';
import { hostFigures } from './figures.ts';
import { PeerFigures } from './peer-figures.ts';
import { RequestGate, PeerTransport } from './peer-http.ts';
import { DEFAULT_LINK_TIMINGS, PeerLink, type LinkTimings } from './peer-link.ts';
import type { PeerConfig } from './peers-file.ts';
import { StreamRelay } from './relay.ts';

export interface FleetOptions {
  /** this host's name in the fleet (serve --name; default: the machine's hostname) */
  name?: string;
  peers?: readonly PeerConfig[];
  timings?: Partial<LinkTimings>;
  /** a proxied request's deadline (default 15 s: a hot reset takes seconds) */
  requestTimeoutMs?: number;
  /** proxied requests per peer at once, and waiting beyond those (default 8 and 32) */
  maxInFlight?: number;
  maxQueued?: number;
  clock?: () => number;
}

export interface Peer {
  config: PeerConfig;
  link: PeerLink;
  figures: PeerFigures;
  transport: PeerTransport;
  gate: RequestGate;
}

/** The machine's hostname as a fleet name: characters a name may not have become "-". */
export function defaultHostName(raw: string = hostname()): string {
  const name = raw
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
  return new RegExp(HOST_NAME_PATTERN).test(name) ? name : 'localhost';
}

export class Fleet {
  readonly name: string;
  readonly peers = new Map<string, Peer>();
  readonly relay: StreamRelay;
  readonly requestTimeoutMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly ctx: ServerContext,
    opts: FleetOptions = {},
  ) {
    this.name = opts.name ?? defaultHostName();
    this.clock = opts.clock ?? Date.now;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    const timings = { ...DEFAULT_LINK_TIMINGS, ...opts.timings };
    for (const config of opts.peers ?? []) {
      const link = new PeerLink(config, timings, this.clock);
      this.peers.set(config.name, {
        config,
        link,
        figures: new PeerFigures(link),
        transport: new PeerTransport(config),
        gate: new RequestGate(opts.maxInFlight ?? 8, opts.maxQueued ?? 32),
      });
    }
    this.relay = new StreamRelay(new Map([...this.peers].map(([n, p]) => [n, p.link])), this.name, this.clock);
  }

  start(): void {
    for (const p of this.peers.values()) p.link.start();
    this.relay.start();
  }

  close(): void {
    this.relay.close();
    for (const p of this.peers.values()) {
      p.link.close();
      p.transport.close();
    }
  }

  /** This host first, then the peers in the peers file's order. */
  async summaries(): Promise<HostSummary[]> {
    const self: HostSummary = { name: this.name, self: true, state: 'up', since: this.ctx.startedAt, figures: await this.selfFigures() };
    return [
      self,
      ...[...this.peers.values()].map(
        ({ config, link, figures, gate }): HostSummary => ({
          name: config.name,
          self: false,
          url: config.url.origin,
          state: link.state,
          since: link.since,
          ...(link.state === 'down' && link.reason !== undefined ? { reason: link.reason } : {}),
          figures: figures.figures(),
          link: {
            access: link.access,
            reconnects: link.reconnects,
            droppedRequests: gate.dropped,
            skippedDeltas: this.relay.skippedDeltas(config.name),
          },
        }),
      ),
    ];
  }

  private async selfFigures(): Promise<HostFigures> {
    const { ctx } = this;
    const [topology, lines] = await Promise.all([currentTopology(ctx), ctx.host.irqLines()]);
    const now = ctx.now();
    return hostFigures({
      t: now,
      info: ctx.hostInfo,
      vectorsInUse: lines.length,
      iommuFaults: ctx.telemetry.kernelLog.faults.rates(now),
      topology,
      pinned: ctx.telemetry.pinned().map(pinnedView),
      dmaEntries: ctx.telemetry.dmaEntries(),
      alerts: alertViews(ctx.telemetry),
    });
  }
}
