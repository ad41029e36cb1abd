/**
 * DMA on a container vfioscope holds: the mapping table (paged), MAP_DMA of
 * memory vfioscope allocates itself (so no vaddr on the wire), UNMAP_DMA of a
 * range or everything. Every range is checked as type1 would check it first.
 */
import type { FastifyInstance } from 'fastify';
import { MAPPINGS_PAGE_MAX, routes, toHex64 } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { asActor } from '../audit/actor.ts';
import { mappingRowView } from '../views/container-view.ts';
import { explainMapFailure, explainUnmapFailure } from '../views/dma-advice.ts';
import { dmaRequest, heldContainer, intParam } from '../validation.ts';

export function registerContainerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.mappings, async (req) => {
    const container = heldContainer(ctx, req.params.id);
    const offset = intParam(req.query.offset, 'offset', 0, 0, 1_000_000_000);
    const limit = intParam(req.query.limit, 'limit', 100, 1, MAPPINGS_PAGE_MAX);
    const page = ctx.session.mappings(container, offset, limit, req.query.sort ? { by: req.query.sort } : undefined);
    return { container, total: page.total, offset, limit, rows: page.rows.map(mappingRowView) };
  });

  registerRoute(app, routes.map, async (req) => {
    const container = heldContainer(ctx, req.params.id);
    const { iova, size } = dmaRequest(ctx, container, 'map', req.body.iova, req.body.size);
    const row = await asActor(req, () =>
      ctx.session.mapDma(container, {
        iova,
        size,
        read: req.body.flags.includes('read'),
        write: req.body.flags.includes('write'),
      }),
    ).catch((err: unknown) => {
      throw explainMapFailure(ctx, container, iova, size, err);
    });
    return { container, mapping: mappingRowView(row) };
  });

  registerRoute(app, routes.unmap, async (req) => {
    const container = heldContainer(ctx, req.params.id);
    const body = req.body;
    const request = 'all' in body ? ({ all: true } as const) : dmaRequest(ctx, container, 'unmap', body.iova, body.size);
    const r = await asActor(req, () => ctx.session.unmapDma(container, request)).catch((err: unknown) => {
      throw 'all' in request ? err : explainUnmapFailure(ctx, container, request.iova, request.size, err);
    });
    return { container, unmappedBytes: toHex64(r.unmappedBytes), removed: r.removed };
  });
}
