/**
 * Read-only state: health (no token needed: load balancers and the UI's
 * connection check), whoami, host, topology, containers.
 */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, PROTOCOL_VERSION, type ContainersResponse, type HealthResponse, type HostResponse, type TopologyResponse, type WhoamiResponse } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { topologyView } from '../views/topology-view.ts';
import { containerView } from '../views/container-view.ts';

export async function currentTopology(ctx: ServerContext): Promise<TopologyResponse> {
  const [topo, owners] = await Promise.all([ctx.host.topology(), ctx.host.owners()]);
  return topologyView(topo, owners, ctx.session.groups());
}

export function registerReadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(`${API_PREFIX}/health`, { config: { role: 'public' } }, async (): Promise<HealthResponse> => ({
    status: 'ok',
    protocolVersion: PROTOCOL_VERSION,
    backend: ctx.host.backend,
    ...(ctx.hostInfo.scenario !== undefined ? { scenario: ctx.hostInfo.scenario } : {}),
    tickHz: ctx.tickHz,
    uptimeMs: ctx.now() - ctx.startedAt,
  }));

  app.get(`${API_PREFIX}/whoami`, async (req): Promise<WhoamiResponse> => ({
    role: req.principal!.role,
    tokenId: req.principal!.tokenId,
    protocolVersion: PROTOCOL_VERSION,
  }));

  app.get(`${API_PREFIX}/host`, async (): Promise<HostResponse> => {
    const [info, lines] = await Promise.all([ctx.host.hostInfo(), ctx.host.irqLines()]);
    return { info, vectorsInUse: lines.length, tickHz: ctx.tickHz };
  });

  app.get(`${API_PREFIX}/topology`, async (): Promise<TopologyResponse> => currentTopology(ctx));

  app.get(`${API_PREFIX}/containers`, async (): Promise<ContainersResponse> => ({
    containers: ctx.session.containers().map(containerView),
  }));
}
