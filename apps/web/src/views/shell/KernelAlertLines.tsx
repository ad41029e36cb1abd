/**
 * The banner's text for a kernel alert: what the kernel said (an IOMMU fault
 * storm, a disabled IRQ, a refused pin), about which device or IRQ, whose
 * process, how many messages since when, what to do, and when it clears.
 */
import type { KernelAlert, PciDeviceView } from '@vfioscope/protocol';
import { ownerLabel } from '../../format/owner.ts';
import { deviceLabel } from '../../format/pci-names.ts';
import { formatAgo, formatClock, formatDuration } from '../../format/units.ts';
import { kernelAlertClears, kernelAlertShort, kernelAlertSubject, kernelAlertTitle } from '../interrupts/kernel-alert-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

export function KernelAlertLines({ a, now, devices }: { a: KernelAlert; now: number; devices: Map<string, PciDeviceView> }) {
  const { links } = useHostClient();
  const isActive = a.clearedAt === null;
  const pci = a.bdf ? devices.get(a.bdf) : undefined;
  return (
    <div className="banner-text" data-reason={a.reason}>
      <div className="banner-line">
        <span className="banner-title" data-testid="kernel-alert-title">
          {isActive ? kernelAlertTitle(a) : `${kernelAlertTitle(a)} over`}
        </span>
        {a.bdf ? (
          <>
            <span className="faint">on</span>
            <a href={links.device(a.bdf)} data-testid="kernel-alert-device-link" className="mono">
              {a.bdf}
            </a>
            {pci ? <span>{deviceLabel(pci)}</span> : null}
          </>
        ) : (
          <span className="mono" data-testid="kernel-alert-subject">
            {kernelAlertSubject(a)}
          </span>
        )}
        {a.owner ? (
          <span className="banner-owner" data-testid="kernel-alert-owner">
            {a.owner.vm ? 'VM ' : ''}
            <strong>{ownerLabel(a.owner)}</strong>
          </span>
        ) : null}
      </div>
      <div className="banner-line muted">
        <span data-testid="kernel-alert-count" data-count={a.count}>
          {kernelAlertShort(a)}
        </span>
        <span title={new Date(a.raisedAt).toISOString()}>
          {isActive
            ? `for ${formatDuration(now - a.raisedAt)}, since ${formatClock(a.raisedAt)} · ${kernelAlertClears(a)}`
            : `lasted ${formatDuration(a.clearedAt! - a.raisedAt)}, cleared ${formatAgo(a.clearedAt!, now)}`}
        </span>
      </div>
      <div className="banner-line muted small" data-testid="kernel-alert-message">
        {a.message}
      </div>
    </div>
  );
}
