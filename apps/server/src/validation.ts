/**
 * The checks the kernel would make, made first: every request is refused
 * here — with the errno the kernel would give and the field at fault —
 * before anything reaches the backend, so bad input changes nothing.
 * Shapes and types are already checked by the protocol's schemas; this is
 * what a schema cannot say: 64-bit range, page alignment, wrap past 2^64,
 * offsets inside a region, and whether the device / group / container exists
 * and is held by vfioscope.
 */
import type { PciDevice } from '@vfioscope/host';
import { dmaMapProblem, dmaUnmapProblem, parseU64 } from '@vfioscope/protocol';
import { ApiProblem } from './errors.ts';
import type { ServerContext } from './context.ts';
import { holderText, otherHolders } from './views/busy-advice.ts';

export function u64Field(value: string, field: string): bigint {
  const v = parseU64(value);
  if (v === null)
    throw new ApiProblem('EVALIDATION', `${field} must be a 64-bit value (at most 0xffffffffffffffff), got "${value}"`, field);
  return v;
}

export function intParam(value: string | undefined, field: string, def: number, min: number, max: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ApiProblem('EVALIDATION', `${field} must be an integer from ${min} to ${max}, got "${value}"`, field);
  }
  return n;
}

/**
 * A DMA map or unmap range checked as the kernel will check it on this container's IOMMU path
 * (@vfioscope/host/rules: one rule for the server, the web form and the session), with the
 * kernel's errno for that path.
 */
export function dmaRequest(
  ctx: ServerContext,
  container: number,
  op: 'map' | 'unmap',
  iovaStr: string,
  sizeStr: string,
): { iova: bigint; size: bigint } {
  const iova = u64Field(iovaStr, 'iova');
  const size = u64Field(sizeStr, 'size');
  const held = ctx.session.containers().find((c) => c.id === container);
  const rule = { pageSize: ctx.host.pageSize, ranges: held?.iommuInfo?.iovaRanges ?? [] };
  const kind = held?.kind ?? 'type1';
  const problem = op === 'map' ? dmaMapProblem(kind, { iova, size }, rule) : dmaUnmapProblem(kind, { iova, size }, rule);
  if (problem) throw new ApiProblem(problem.errno, problem.message, problem.field);
  return { iova, size };
}

export async function knownDevice(ctx: ServerContext, bdf: string): Promise<PciDevice> {
  const norm = bdf.toLowerCase();
  const { topology } = await ctx.observed.read();
  const dev = topology.devices.find((d) => d.bdf.toLowerCase() === norm);
  if (!dev) throw new ApiProblem('ENOTFOUND', `no PCI device ${bdf} on this host`, 'bdf');
  return dev;
}

export async function knownGroup(ctx: ServerContext, group: string): Promise<number> {
  const id = intParam(group, 'group', 0, 0, 1_000_000_000);
  const { topology } = await ctx.observed.read();
  if (!topology.groups.some((g) => g.id === id)) throw new ApiProblem('ENOTFOUND', `no IOMMU group ${id} on this host`, 'group');
  return id;
}

export function heldContainer(ctx: ServerContext, id: string): number {
  const n = intParam(id, 'id', 0, 0, 1_000_000_000);
  if (!ctx.session.containers().some((c) => c.id === n)) {
    throw new ApiProblem('ENOTFOUND', `vfioscope holds no container ${n}`, 'id');
  }
  return n;
}

/** A device whose group vfioscope holds: the precondition of every device-fd action. */
export async function drivableDevice(ctx: ServerContext, bdf: string): Promise<PciDevice> {
  const dev = await knownDevice(ctx, bdf);
  const held = ctx.session.groups().some((g) => g.group === dev.iommuGroup);
  if (!held && dev.iommuGroup !== null) {
    // another process's device (a VM's): vfioscope cannot open, map or reset it — say whose it is
    const holders = await otherHolders(ctx, dev.iommuGroup);
    if (holders.length > 0) {
      throw new ApiProblem('EBUSY', `group ${dev.iommuGroup} of ${dev.bdf} is held by ${holders.map(holderText).join(' and ')}`, 'bdf');
    }
  }
  if (!held) {
    const g = dev.iommuGroup === null ? 'it has no IOMMU group' : `open its group first (POST /api/v1/groups/${dev.iommuGroup}/open)`;
    throw new ApiProblem('ENODEV', `vfioscope does not hold the group of ${dev.bdf}: ${g}`, 'bdf');
  }
  return dev;
}
