/**
 * The device page's "Kernel messages": what the kernel logged about this
 * function (IOMMU faults, AER errors, reset trouble, ROM and BAR problems),
 * from the event log's `kernel` events the server attached to it. The text is
 * the kernel's own; the parsed fields say what it means at a glance. Above
 * them, the device's IOMMU faults per minute (counted by the server, host
 * topic) and the kernel alerts active on it.
 */
import { useMemo } from 'react';
import type { KernelAlert, KernelEvent, KernelMessageKind } from '@vfioscope/protocol';
import { useAlerts, useEvents, useHostLive } from '../../live/hooks.ts';
import { formatTime } from '../../format/units.ts';
import { kernelAlertClears, kernelAlertShort, kernelAlertTitle } from '../interrupts/kernel-alert-model.ts';

/** newest first, this many at most (the Events view has the rest) */
const SHOWN = 20;

const WHAT: Partial<Record<KernelMessageKind, string>> = {
  'iommu-fault': 'IOMMU fault: a DMA to an IOVA that is not mapped for that direction',
  'aer-error': 'PCIe AER error',
  reset: 'reset trouble',
  'rom-invalid': 'option ROM unreadable',
  'bar-reservation': 'BAR could not be reserved',
  'memlock-exceeded': 'pin refused: RLIMIT_MEMLOCK',
  'device-request': 'the kernel asks the user to release the device (an unbind or hot-unplug is waiting)',
};

function summary(e: KernelEvent): string {
  const d = e.data;
  const parts = [WHAT[d.kind] ?? d.kind];
  if (d.kind === 'iommu-fault') parts.push(`${d.direction ?? '?'} at ${d.address ?? '?'}${d.reason ? ` (${d.reason})` : ''}`);
  if (d.kind === 'aer-error' && d.severity) parts.push(d.severity);
  return parts.join(' · ');
}

export function KernelMessagesPanel({ bdf }: { bdf: string }) {
  const events = useEvents().state;
  const faultRate = useHostLive().state?.live.iommuFaults.find((r) => r.bdf === bdf);
  const alerts = useAlerts().state;
  const active = useMemo(
    () => [...(alerts?.values() ?? [])].filter((a): a is KernelAlert => a.kind === 'kernel' && a.bdf === bdf && a.clearedAt === null),
    [alerts, bdf],
  );
  const mine = useMemo(
    () =>
      (events ?? [])
        .filter((e): e is KernelEvent => e.kind === 'kernel' && e.device === bdf)
        .slice(-SHOWN)
        .reverse(),
    [events, bdf],
  );
  const perMinute = faultRate?.perMinute ?? 0;
  return (
    <section className="panel" data-testid="kernel-messages" data-count={mine.length}>
      <div className="panel-head">
        <h3>Kernel messages</h3>
        <span className="muted">
          {mine.length === 0 ? 'none since vfioscope started following the kernel log' : `${mine.length} latest`}
        </span>
        <span className="spacer" />
        <span
          className={`badge ${perMinute > 0 ? 'bad' : 'outline'}`}
          data-testid="iommu-fault-rate"
          data-per-minute={perMinute}
          data-total={faultRate?.total ?? 0}
          title="IOMMU faults the kernel logged for this device in the last minute, and since vfioscope started following the kernel log"
        >
          {perMinute} IOMMU fault{perMinute === 1 ? '' : 's'}/min · {faultRate?.total ?? 0} in all
        </span>
      </div>
      {active.map((a) => (
        <div key={a.id} className="panel-body answer err" role="alert" data-testid="device-kernel-alert" data-reason={a.reason}>
          <strong>{kernelAlertTitle(a)}</strong> · {kernelAlertShort(a)} · {kernelAlertClears(a)}
          <div>{a.message}</div>
        </div>
      ))}
      {mine.map((e) => (
        <div key={e.seq} className="event-row" data-testid={`kernel-message-${e.seq}`} data-op={e.op}>
          <span className="ts">{formatTime(e.ts)}</span>
          <span>
            <span className="badge warn">{e.op}</span>
          </span>
          <span className="msg">
            {summary(e)}
            <br />
            <span className="mono faint">{e.message}</span>
          </span>
        </div>
      ))}
    </section>
  );
}
