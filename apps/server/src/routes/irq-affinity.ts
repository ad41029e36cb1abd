/**
 * The affinity action: move a VFIO vector to other CPUs by writing its
 * /proc/irq/N/smp_affinity_list (Documentation/core-api/irq/irq-affinity.rst).
 * The vector is named by its key and resolved to its IRQ from the sampled
 * rates, so only VFIO vectors can be moved from here, never the host's own
 * IRQs. The kernel's refusal keeps its errno and gains the reason
 * (kernel/irq/proc.c write_irq_affinity()).
 */
import type { FastifyInstance } from 'fastify';
import { formatCpuList } from '@vfioscope/host';
import { isProblemCode, routes } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { ApiProblem } from '../errors.ts';
import { actorOf, asActor } from '../audit/actor.ts';

/** why the kernel said no, per errno; the errno itself is passed on unchanged */
function refusal(errno: string, irq: number, list: string): string {
  const file = `/proc/irq/${irq}/smp_affinity_list`;
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return `${file} is writable by root only; vfioscope runs as uid ${process.getuid?.() ?? '?'}`;
    case 'EINVAL':
      return `the kernel refused CPU list "${list}" for IRQ ${irq}: it names no online CPU`;
    case 'ERANGE':
      return `CPU list "${list}" names a CPU past the host's last possible CPU`;
    case 'EIO':
      return `the kernel does not let user space move IRQ ${irq} (a managed IRQ, or an interrupt chip that cannot move it)`;
    case 'ENOENT':
      return `IRQ ${irq} is gone (${file} does not exist); the vector was torn down`;
    default:
      return `writing "${list}" to ${file} failed`;
  }
}

export function registerIrqAffinityRoute(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.irqAffinity, async (req) => {
    const { key, cpus } = req.body;
    const rate = ctx.telemetry.vectorRates().find((r) => r.key === key);
    if (!rate || rate.irq === null || rate.irq < 0) {
      throw new ApiProblem('ENOTFOUND', `no VFIO vector ${key} with a host IRQ is live`, 'key');
    }
    const irq = rate.irq;
    const list = formatCpuList(cpus);
    const what = `set IRQ ${irq} (${key}) affinity to ${list}`;
    try {
      await asActor(req, () => ctx.host.setIrqAffinity(irq, cpus));
    } catch (err) {
      const errno = (err as { errno?: string }).errno;
      if (errno === undefined || !isProblemCode(errno)) throw err;
      const message = refusal(errno, irq, list);
      ctx.eventLog.append({
        kind: 'error',
        message: `${what} failed: ${errno} ${message}`,
        op: 'setIrqAffinity',
        actor: actorOf(req),
        device: rate.bdf,
        errno,
        data: { key, irq, cpus: list },
      });
      throw new ApiProblem(errno, message, 'cpus');
    }
    ctx.eventLog.append({
      kind: 'action',
      message: what,
      op: 'setIrqAffinity',
      actor: actorOf(req),
      device: rate.bdf,
      data: { key, irq, cpus: list },
    });
    // read the kernel's answer back: it may keep a different mask, and picks the effective CPU itself
    const line = (await ctx.host.irqLines()).find((l) => l.irq === irq);
    return {
      key,
      irq,
      affinity: line?.affinity ? formatCpuList(line.affinity) : list,
      effective: line?.effectiveAffinity ? formatCpuList(line.effectiveAffinity) : null,
    };
  });
}
