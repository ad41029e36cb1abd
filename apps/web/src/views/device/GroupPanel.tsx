/**
 * The device's IOMMU group on the device page: viable or not and why (its
 * blockers and their drivers), the group's other functions, and the way on —
 * bind the blockers to vfio-pci, then pass the group to QEMU or open it here.
 * The same pieces as the group card (topology/GroupViability.tsx).
 */
import type { GroupView, PciDeviceView } from '@vfioscope/protocol';
import { deviceLabel } from '../../format/pci-names.ts';
import { Blockers, NextStep } from '../topology/GroupViability.tsx';
import { useHostClient } from '../../host/HostClientProvider.tsx';

export function GroupPanel({ group, devices, bdf }: { group: GroupView; devices: PciDeviceView[]; bdf: string }) {
  const { links } = useHostClient();
  const blockers = new Map(group.blockers.map((b) => [b.bdf, b.driver]));
  return (
    <section className="panel" data-testid="device-group" data-viable={group.viable}>
      <div className="panel-head">
        <h3>IOMMU group {group.id}</h3>
        {group.viable ? (
          <span className="badge ok">viable</span>
        ) : (
          <span className="badge bad" data-testid="device-group-not-viable">
            not viable
          </span>
        )}
        <span className="faint">
          {group.viable
            ? 'every device in the group is on vfio-pci or has no driver'
            : 'a group passes through whole: every device in it must leave its host driver'}
        </span>
      </div>
      <div className="panel-body stack">
        <ul className="plain-list group-members">
          {devices.map((d) => (
            <li key={d.bdf}>
              {d.bdf === bdf ? <span className="mono">{d.bdf}</span> : <a href={links.device(d.bdf)}>{d.bdf}</a>} {deviceLabel(d)} ·{' '}
              <span className={blockers.has(d.bdf) ? 'bad-text' : 'muted'}>{d.driver ?? 'no driver'}</span>
            </li>
          ))}
        </ul>
        <Blockers g={group} devices={devices} />
        <NextStep g={group} devices={devices} />
      </div>
    </section>
  );
}
