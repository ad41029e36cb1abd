/**
 * WebSocket /api/v1/stream. The upgrade is refused (401/403, before any
 * socket exists) without a viewer token or from a foreign Origin (the auth
 * hook treats the upgrade as a state-changing request). Every
 * inbound message is size-capped by ws and validated against the protocol's
 * ClientMessage schema before anything else touches it.
 */
import type { FastifyInstance } from 'fastify';
import { parseClientMessage, routes } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { routeConfig, routeSchema } from '../http/route-registry.ts';
import type { StreamService } from '../stream/stream-service.ts';

export function registerStreamRoute(app: FastifyInstance, ctx: ServerContext, hub: StreamService): void {
  app.get(
    routes.stream.path,
    { websocket: true, schema: routeSchema(routes.stream), config: routeConfig(routes.stream) },
    (socket, req) => {
      const client = hub.connect(socket, req.principal!);
      socket.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const parsed = isBinary ? null : parseClientMessage(String(raw));
        if (!parsed?.ok) {
          hub.sendTo(client, {
            type: 'error',
            error: {
              errno: 'EVALIDATION',
              message: parsed ? parsed.message : 'messages must be JSON text',
              ...(parsed?.field ? { field: parsed.field } : {}),
            },
          });
          return;
        }
        const msg = parsed.value;
        switch (msg.type) {
          case 'subscribe':
            hub.subscribe(client, msg.topics).catch((err: unknown) => {
              hub.sendTo(client, { type: 'error', error: { errno: 'EINTERNAL', message: `subscribe failed: ${(err as Error).message}` } });
            });
            break;
          case 'unsubscribe':
            hub.unsubscribe(client, msg.topics);
            break;
          case 'ping':
            hub.sendTo(client, { type: 'heartbeat', ts: ctx.now(), ...(msg.id !== undefined ? { id: msg.id } : {}) });
            break;
        }
      });
    },
  );
}
