/**
 * The way out of the kernel's refusals of DMA actions, added to its answer:
 * the errno and the kernel's words stay, the server adds what it knows and
 * the kernel does not say.
 *  - ENOMEM (vfio_pin_pages_remote: RLIMIT_MEMLOCK exceeded): how much is
 *    locked under which limit and what the map needed;
 *  - EEXIST (vfio_dma_do_map: the range overlaps a mapping): the next free
 *    range of the same size;
 *  - EINVAL on an unmap (type1 v2 unmaps whole mappings only): the mappings
 *    the range would split.
 */
import { isVfioError, type VfioError } from '@vfioscope/host';
import { formatBytes, toHex64 } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';

function kernelSaid(err: VfioError): string {
  return `${err.op}: ${err.detail}`;
}

export function explainMapFailure(ctx: ServerContext, container: number, iova: bigint, size: bigint, err: unknown): unknown {
  if (!isVfioError(err)) return err;
  if (err.errno === 'ENOMEM') {
    const limit = ctx.hostInfo.memlockLimit;
    const locked = ctx.session.containers().reduce((n, c) => n + Number(c.pinnedBytes), 0);
    const left = limit === null ? null : Math.max(0, limit - locked);
    const words =
      limit === null
        ? `${formatBytes(locked)} are locked`
        : `${formatBytes(locked)} of vfioscope's ${formatBytes(limit)} RLIMIT_MEMLOCK are locked, ${formatBytes(left ?? 0)} left; this map needs ${formatBytes(Number(size))}`;
    return new ApiProblem(
      'ENOMEM',
      `${kernelSaid(err)} — ${words}. Map less, unmap something, or raise the limit (LimitMEMLOCK= in the unit, ulimit -l)`,
      'size',
      undefined,
      { kind: 'memlock', limitBytes: limit, lockedBytes: locked, neededBytes: Number(size) },
    );
  }
  if (err.errno === 'EEXIST') {
    const free = ctx.session.freeIova(container, iova, size);
    if (free === null) return err;
    return new ApiProblem(
      'EEXIST',
      `${kernelSaid(err)} — the next free ${formatBytes(Number(size))} starts at ${toHex64(free)}`,
      'iova',
      undefined,
      {
        kind: 'free-iova',
        iova: toHex64(free),
      },
    );
  }
  return err;
}

export function explainUnmapFailure(ctx: ServerContext, container: number, iova: bigint, size: bigint, err: unknown): unknown {
  // a split: type1 answers EINVAL, iommufd ENOENT (iopt_unmap_iova_range)
  if (!isVfioError(err) || (err.errno !== 'EINVAL' && err.errno !== 'ENOENT')) return err;
  const split = ctx.session.straddling(container, iova, size);
  if (split.length === 0) return err;
  const shown = split.map((m) => `${toHex64(m.iova)}+${toHex64(m.size)}`).join(' and ');
  return new ApiProblem(
    err.errno,
    `${kernelSaid(err)} — the range would split the mapping ${shown}; unmap whole mappings`,
    'iova',
    undefined,
    {
      kind: 'split',
      mappings: split.map((m) => ({ iova: toHex64(m.iova), size: toHex64(m.size) })),
    },
  );
}
