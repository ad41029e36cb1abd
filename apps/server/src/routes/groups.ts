/**
 * Group ownership actions: open /dev/vfio/N and attach it to a container
 * (a new one with SET_IOMMU TYPE1v2, or an existing vfioscope container) and
 * open the fds of its vfio-pci devices, and
 * release it again (IRQs off, device fds closed, mappings removed when it was
 * the container's last group, UNSET_CONTAINER, close).
 */
import type { FastifyInstance } from 'fastify';
import { routes } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { ApiProblem } from '../errors.ts';
import { asActor } from '../audit/actor.ts';
import { heldContainer, knownGroup } from '../validation.ts';
import { explainGroupBusy } from '../views/busy-advice.ts';

export function registerGroupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.groupOpen, async (req) => {
    const group = await knownGroup(ctx, req.params.group);
    const container = req.body.container;
    if (container !== undefined) heldContainer(ctx, String(container));
    if (ctx.session.groups().some((g) => g.group === group)) {
      throw new ApiProblem('EBUSY', `vfioscope already holds group ${group}`, 'group');
    }
    return asActor(req, async () => {
      const opened = await ctx.session.openGroup(group, container !== undefined ? { container } : {}).catch(async (err: unknown) => {
        throw await explainGroupBusy(ctx, group, err);
      });
      // Opening a device fd is a kernel action (vfio-pci enables and may reset the function), so it
      // happens here, for the operator who took the group, never as a side effect of someone looking.
      // the open invalidated the snapshot: this read walks the host as it is now
      const { topology } = await ctx.observed.read();
      const devices: string[] = [];
      for (const d of topology.devices) {
        if (d.iommuGroup !== group || d.driver !== 'vfio-pci') continue;
        try {
          await ctx.session.device(d.bdf);
          devices.push(d.bdf);
        } catch {
          // the session logged the errno; the group stays held and the device can be retried by an action
        }
      }
      const kind = ctx.session.containers().find((c) => c.id === opened.container)?.kind ?? (await ctx.session.iommuKind());
      return { ...opened, kind, devices };
    });
  });

  registerRoute(app, routes.groupClose, async (req) => {
    const group = await knownGroup(ctx, req.params.group);
    if (!ctx.session.groups().some((g) => g.group === group)) {
      throw new ApiProblem('EINVAL', `vfioscope does not hold group ${group}`, 'group');
    }
    await asActor(req, () => ctx.session.closeGroup(group));
    return { group, closed: true as const };
  });
}
