/**
 * Topics whose state is small enough to resend whole when it changes:
 * topology (groups, devices, owners — looked at once a second or when an
 * action marks it changed, from the observed-host snapshot every reader
 * shares, so the topic never walks sysfs/procfs itself), the host's live
 * summary, and pinned memory / DMA entry accounting.
 */
import { driveMode } from '../../routes/read.ts';
import type { HostDelta, HostSnapshot, PinnedSnapshot, TopologyResponse } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { currentTopology } from '../../routes/read.ts';
import { containerView } from '../../views/container-view.ts';
import { alertViews, pinnedView } from '../../views/telemetry-view.ts';
import { WholeValueProducer } from './producer.ts';

export function topologyProducer(ctx: ServerContext): WholeValueProducer<TopologyResponse> {
  return new WholeValueProducer(
    'topology',
    () => currentTopology(ctx),
    (s) => s,
    Math.max(1, Math.round(ctx.tickHz)),
  );
}

export function hostProducer(ctx: ServerContext): WholeValueProducer<HostSnapshot, HostDelta> {
  let vectorsInUse = 0;
  let ticks = 0;
  const everyIrqRead = Math.max(1, Math.round(ctx.tickHz));
  return new WholeValueProducer<HostSnapshot, HostDelta>(
    'host',
    async () => {
      // /proc/interrupts is costly to read on a big host: refresh the vector count once a second
      if (ticks++ % everyIrqRead === 0) vectorsInUse = (await ctx.host.irqLines()).length;
      return {
        info: ctx.hostInfo,
        drive: await driveMode(ctx),
        live: {
          t: ctx.now(),
          vectorsInUse,
          containers: ctx.session.containers().map(containerView),
          alertsActive: alertViews(ctx.telemetry).filter((a) => a.clearedAt === null).length,
          iommuFaults: ctx.telemetry.kernelLog.faults.rates(ctx.now()),
        },
      };
    },
    (s) => ({ live: s.live }),
    1,
    (s) => ({ ...s.live, t: 0 }),
  );
}

export function pinnedProducer(ctx: ServerContext): WholeValueProducer<PinnedSnapshot> {
  return new WholeValueProducer<PinnedSnapshot>(
    'pinned',
    async () => ({ t: ctx.now(), stats: ctx.telemetry.pinned().map(pinnedView), dmaEntries: ctx.telemetry.dmaEntries() }),
    (s) => s,
    1,
    (s) => ({ ...s, t: 0 }),
  );
}
