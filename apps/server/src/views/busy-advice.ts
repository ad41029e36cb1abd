/**
 * Who holds a group when vfioscope cannot: the kernel's EBUSY for opening
 * /dev/vfio/N (or binding a cdev) says only that someone does, and an
 * operator needs to know which VM. The holders come from observe (the
 * processes with the group file or a device cdev open), named as everywhere
 * else: comm, pid, the VM's -name, and how it holds the group.
 */
import { type GroupOwner, guestName, isVfioError } from '@vfioscope/host';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';

/** The processes other than vfioscope that hold `group`. */
export async function otherHolders(ctx: ServerContext, group: number): Promise<GroupOwner[]> {
  return (await ctx.observed.read()).owners.filter((o) => o.group === group && !o.self);
}

export function holderText(o: GroupOwner): string {
  const vm = guestName(o.cmdline);
  return `${o.comm} (pid ${o.pid}${vm ? `, VM ${vm}` : ''}) through its ${o.via === 'cdev' ? 'device cdev' : 'group file'}`;
}

/** The kernel's EBUSY on opening a group, with the holders named; any other error as it was. */
export async function explainGroupBusy(ctx: ServerContext, group: number, err: unknown): Promise<unknown> {
  if (!isVfioError(err) || err.errno !== 'EBUSY') return err;
  const holders = await otherHolders(ctx, group).catch(() => []);
  if (holders.length === 0) return err;
  return new ApiProblem('EBUSY', `${err.op}: ${err.detail} — group ${group} is held by ${holders.map(holderText).join(' and ')}`, 'group');
}
