/**
 * Interrupts: VFIO_DEVICE_SET_IRQS on one device (trigger wires eventfds the
 * sampler then reads; mask/unmask are INTx's; disable tears the index down),
 * and the sampled rates: the busiest vectors host-wide and one vector's
 * history.
 */
import type { FastifyInstance } from 'fastify';
import {
  API_PREFIX, HistoryQuery, IrqActionBody, IrqParams, IrqTopQuery,
  type HistoryResponse, type IrqActionResponse, type IrqTopResponse,
} from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';
import { asActor } from '../audit/actor.ts';
import { irqIndexFromParam, PCI_IRQ_NAMES } from '../views/device-view.ts';
import { rateView } from '../views/telemetry-view.ts';
import { drivableDevice, intParam } from '../validation.ts';

export function registerIrqRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: IrqParams; Body: IrqActionBody }>(
    `${API_PREFIX}/devices/:bdf/irqs/:index`,
    { schema: { params: IrqParams, body: IrqActionBody }, config: { action: 'device.irqs', role: 'operator' } },
    async (req): Promise<IrqActionResponse> => {
      const index = irqIndexFromParam(req.params.index);
      if (index === null || index >= PCI_IRQ_NAMES.length) {
        throw new ApiProblem('EINVAL', `IRQ index ${req.params.index} is not one of INTX, MSI, MSIX, ERR, REQ (0–4)`, 'index');
      }
      const dev = await drivableDevice(ctx, req.params.bdf);
      const start = req.body.start ?? 0;
      const count = req.body.count ?? 1;
      // the kernel's own range check (vfio_set_irqs_validate_and_prepare), made before any eventfd exists
      const state = await ctx.session.deviceState(dev.bdf);
      const irq = state.irqs.find((q) => q.index === index);
      const max = irq?.count ?? 0;
      if (max === 0) throw new ApiProblem('EINVAL', `${dev.bdf} has no ${PCI_IRQ_NAMES[index]} vectors`, 'index');
      if (start >= max) throw new ApiProblem('EINVAL', `start ${start} is past the last ${PCI_IRQ_NAMES[index]} vector (${max - 1})`, 'start');
      if (start + count > max) {
        throw new ApiProblem('EINVAL', `start ${start} + count ${count} exceeds the ${max} ${PCI_IRQ_NAMES[index]} vectors`, 'count');
      }
      await asActor(req, () => ctx.session.setIrqs(dev.bdf, { index, action: req.body.action, start, count }));
      return { bdf: dev.bdf, index, name: PCI_IRQ_NAMES[index]!, action: req.body.action, start, count };
    },
  );

  app.get<{ Querystring: IrqTopQuery }>(
    `${API_PREFIX}/irqs/top`,
    { schema: { querystring: IrqTopQuery } },
    async (req): Promise<IrqTopResponse> => {
      const limit = intParam(req.query.limit, 'limit', 20, 1, 10_000);
      const rates = ctx.telemetry.vectorRates().map(rateView).sort((a, b) => b.rate - a.rate).slice(0, limit);
      return { t: ctx.now(), rates };
    },
  );

  app.get<{ Querystring: HistoryQuery }>(
    `${API_PREFIX}/irqs/history`,
    { schema: { querystring: HistoryQuery } },
    async (req): Promise<HistoryResponse> => {
      const resolution = req.query.resolution ?? 'tick';
      if (!ctx.telemetry.vectorRates().some((r) => r.key === req.query.key)) {
        throw new ApiProblem('ENOTFOUND', `no sampled vector ${req.query.key}`, 'key');
      }
      return { key: req.query.key, resolution, points: ctx.telemetry.history(req.query.key, resolution) };
    },
  );
}
