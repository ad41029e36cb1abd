/**
 * Interrupts: VFIO_DEVICE_SET_IRQS on one device (trigger wires eventfds the
 * sampler then reads; mask/unmask are INTx's; disable tears the index down),
 * and the sampled rates: the busiest vectors host-wide and one vector's
 * history; and moving a vector to other CPUs (irq-affinity.ts).
 */
import type { FastifyInstance } from 'fastify';
import { routes } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { ApiProblem } from '../errors.ts';
import { asActor } from '../audit/actor.ts';
import { irqIndexFromParam, PCI_IRQ_NAMES } from '../views/device-view.ts';
import { rateView } from '../views/telemetry-view.ts';
import { drivableDevice, intParam } from '../validation.ts';
import { registerIrqAffinityRoute } from './irq-affinity.ts';

export function registerIrqRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerIrqAffinityRoute(app, ctx);
  registerRoute(app, routes.deviceIrq, async (req) => {
    const index = irqIndexFromParam(req.params.index);
    if (index === null || index >= PCI_IRQ_NAMES.length) {
      throw new ApiProblem('EINVAL', `IRQ index ${req.params.index} is not one of INTX, MSI, MSIX, ERR, REQ (0–4)`, 'index');
    }
    const action = req.body.action;
    // vfio_pci_set_irqs_ioctl (drivers/vfio/pci/vfio_pci_intrs.c) has mask/unmask handlers for INTx only: on
    // MSI, MSI-X, ERR and REQ the ioctl finds none and answers ENOTTY. Say so before opening anything.
    if ((action === 'mask' || action === 'unmask') && index !== 0) {
      throw new ApiProblem(
        'ENOTTY',
        `${action} on ${PCI_IRQ_NAMES[index]}: vfio-pci has no ${action} handler for ${PCI_IRQ_NAMES[index]} (the kernel answers ENOTTY); only INTx can be masked`,
        'action',
      );
    }
    const dev = await drivableDevice(ctx, req.params.bdf);
    const start = req.body.start ?? 0;
    const count = req.body.count ?? 1;
    // the kernel's own range check (vfio_set_irqs_validate_and_prepare), made before any eventfd exists
    const state = await ctx.session.deviceState(dev.bdf);
    const irq = state.irqs.find((q) => q.index === index);
    const max = irq?.count ?? 0;
    if (max === 0) throw new ApiProblem('EINVAL', `${dev.bdf} has no ${PCI_IRQ_NAMES[index]} vectors`, 'index');
    if (start >= max)
      throw new ApiProblem('EINVAL', `start ${start} is past the last ${PCI_IRQ_NAMES[index]} vector (${max - 1})`, 'start');
    if (start + count > max) {
      throw new ApiProblem('EINVAL', `start ${start} + count ${count} exceeds the ${max} ${PCI_IRQ_NAMES[index]} vectors`, 'count');
    }
    await asActor(req, () => ctx.session.setIrqs(dev.bdf, { index, action, start, count }));
    return { bdf: dev.bdf, index, name: PCI_IRQ_NAMES[index]!, action, start, count };
  });

  registerRoute(app, routes.irqTop, async (req) => {
    const limit = intParam(req.query.limit, 'limit', 20, 1, 10_000);
    const rates = ctx.telemetry
      .vectorRates()
      .map(rateView)
      .sort((a, b) => b.rate - a.rate)
      .slice(0, limit);
    return { t: ctx.now(), rates };
  });

  registerRoute(app, routes.irqHistory, async (req) => {
    const resolution = req.query.resolution ?? 'tick';
    if (!ctx.telemetry.vectorRates().some((r) => r.key === req.query.key)) {
      throw new ApiProblem('ENOTFOUND', `no sampled vector ${req.query.key}`, 'key');
    }
    return { key: req.query.key, resolution, points: ctx.telemetry.history(req.query.key, resolution) };
  });
}
