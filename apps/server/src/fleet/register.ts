/**
 * The fleet in the app: its routes, its relay behind the stream hub's peer
 * topics, and its links dialled once the server is ready and dropped
 * before it closes. Every server has a fleet — without --peers it is this
 * host alone, and GET /hosts lists just that.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import type { StreamHub } from '../stream/hub.ts';
import { Fleet, type FleetOptions } from './fleet.ts';
import { registerHostsRoutes } from './hosts-routes.ts';

export function registerFleet(app: FastifyInstance, ctx: ServerContext, hub: StreamHub, opts: FleetOptions = {}): Fleet {
  const fleet = new Fleet(ctx, opts);
  hub.remote = fleet.relay;
  registerHostsRoutes(app, ctx, fleet);
  app.addHook('onReady', async () => fleet.start());
  app.addHook('preClose', async () => fleet.close());
  return fleet;
}
