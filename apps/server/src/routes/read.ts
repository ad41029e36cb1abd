/**
 * Read-only state: health (no token needed: load balancers and the UI's
 * connection check), whoami, host, topology, containers.
 */
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, routes, type HostResponse, type TopologyResponse } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { requireRole } from '../auth/request-auth.ts';
import { heldGroups } from '../views/held-groups.ts';
import { topologyView } from '../views/topology-view.ts';
import { containerView } from '../views/container-view.ts';

export async function currentTopology(ctx: ServerContext): Promise<TopologyResponse> {
  const { topology, owners } = await ctx.observed.read();
  return topologyView(topology, owners, ctx.session.groups(), heldGroups(ctx.session));
}

export function registerReadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.health, async () => ({
    status: 'ok' as const,
    protocolVersion: PROTOCOL_VERSION,
    backend: ctx.hostInfo.backend,
    ...(ctx.hostInfo.scenario !== undefined ? { scenario: ctx.hostInfo.scenario } : {}),
    tickHz: ctx.tickHz,
    uptimeMs: ctx.now() - ctx.startedAt,
    ...(ctx.sessionTokenFile !== null ? { sessionTokenFile: ctx.sessionTokenFile } : {}),
  }));

  registerRoute(app, routes.whoami, async (req) => {
    const p = requireRole(req, 'viewer');
    return { role: p.role, tokenId: p.tokenId, protocolVersion: PROTOCOL_VERSION };
  });

  registerRoute(app, routes.host, async () => {
    const [info, lines] = await Promise.all([ctx.host.hostInfo(), ctx.host.irqLines()]);
    return { info, drive: await driveMode(ctx), vectorsInUse: lines.length, tickHz: ctx.tickHz };
  });

  registerRoute(app, routes.topology, async () => currentTopology(ctx));

  registerRoute(app, routes.containers, async () => ({
    containers: ctx.session.containers().map(containerView),
  }));
}

/** The IOMMU path asked for, and the kind of context it makes on this kernel (or why none). */
export async function driveMode(ctx: ServerContext): Promise<HostResponse['drive']> {
  try {
    return { iommu: ctx.session.mode, kind: await ctx.session.iommuKind() };
  } catch (err) {
    return { iommu: ctx.session.mode, kind: null, reason: err instanceof Error ? err.message : String(err) };
  }
}
