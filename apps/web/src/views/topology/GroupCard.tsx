/**
 * One IOMMU group: its devices, viability (which device and driver block it,
 * and the way to unblock it), its owners with their locked memory against
 * their limit, its container, and the open / release actions (vfioscope
 * takes the group: VFIO_GROUP_SET_CONTAINER, then SET_IOMMU TYPE1v2 on a new
 * container). Compact, so a few hundred groups stay scannable.
 */
import { memo, useState } from 'react';
import { className, idPair, vendorName } from '../../format/pci-names.ts';
import { memoryBudget, processLabel } from '../../format/owner.ts';
import { percent } from '../../format/units.ts';
import { ActionButton } from '../../components/ActionButton.tsx';
import { ReleaseButton, useOpenGroup } from './group-actions.tsx';
import { Blockers, NextStep } from './GroupViability.tsx';
import { ownerLabel, type GroupCardModel } from './topology-model.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

/** IOMMU faults per minute of the devices faulting now (host topic), by BDF */
export type FaultRates = ReadonlyMap<string, number>;

function DriverBadge({ driver }: { driver: string | null }) {
  if (driver === null) return <span className="badge outline">no driver</span>;
  if (driver.startsWith('vfio')) return <span className="badge accent">{driver}</span>;
  return <span className="badge warn">{driver}</span>;
}

/**
 * The other processes holding the group (VMs, by format/owner.ts's one rule),
 * each with its locked memory against its RLIMIT_MEMLOCK: a VM near its limit
 * is one hot-plug away from failing to pin.
 */
function ForeignOwners({ card }: { card: GroupCardModel }) {
  const others = card.group.owners.filter((o) => !o.self);
  if (others.length === 0) return null;
  return (
    <div className="owner-lines" data-testid="group-owner" title={others.map((o) => `${o.comm} (pid ${o.pid}): ${o.cmdline}`).join('\n')}>
      {others.map((o) => {
        const pct = percent(o.lockedBytes, o.memlockLimit);
        return (
          <div key={o.pid} className={`owner-line ${pct !== null && pct >= 90 ? 'near-limit' : ''}`} data-testid="group-owner-memory">
            <span className="owner-name">{processLabel(o)}</span> · {memoryBudget(o)}
          </div>
        );
      })}
    </div>
  );
}

export const GroupCard = memo(function GroupCard(props: {
  card: GroupCardModel;
  containers: number[];
  faults: FaultRates;
  inCluster?: boolean;
}) {
  const { links } = useHostClient();
  const { card, containers, faults } = props;
  const g = card.group;
  const open = useOpenGroup(g, card.devices);
  const [target, setTarget] = useState<string>('new');
  const owner = ownerLabel(g);
  const held = g.container !== null;
  const foreign = g.owners.some((o) => !o.self);
  const blockers = new Set(g.blockers.map((b) => b.bdf));
  return (
    <article
      className={`group-card ${g.viable ? '' : 'blocked'} ${held ? 'held' : ''}`}
      data-testid={`group-${g.id}`}
      data-group={g.id}
      data-viable={g.viable}
    >
      <header className="group-head">
        <span className="group-id">Group {g.id}</span>
        {g.viable ? (
          <span className="badge ok">viable</span>
        ) : (
          <span className="badge bad" data-testid="not-viable">
            not viable
          </span>
        )}
        {held && !props.inCluster ? (
          <a className="badge accent" href={links.dma(g.container!)} data-testid="group-container">
            container {g.container}
          </a>
        ) : null}
        <span className="spacer" />
        {foreign ? null : (
          <span className={`owner ${owner ? 'self' : ''}`} data-testid="group-owner">
            {owner ?? 'free'}
          </span>
        )}
        {held ? (
          <ReleaseButton g={g} />
        ) : !foreign && g.viable ? (
          <>
            {containers.length ? (
              <select
                value={target}
                onChange={(e) => setTarget(e.target.value)}
                aria-label={`container for group ${g.id}`}
                className="small-select"
              >
                <option value="new">new container</option>
                {containers.map((c) => (
                  <option key={c} value={c}>
                    container {c}
                  </option>
                ))}
              </select>
            ) : null}
            <ActionButton
              small
              variant="primary"
              testid={`group-open-${g.id}`}
              pending={open.pending}
              onClick={() => void open.open(target === 'new' ? undefined : Number(target))}
              {...(open.confirm ? { confirm: open.confirm } : {})}
            >
              {open.confirm ? 'Open…' : 'Open'}
            </ActionButton>
          </>
        ) : null}
      </header>
      <ForeignOwners card={card} />
      <ul className="dev-list">
        {card.devices.map((d) => (
          <li key={d.bdf} className={blockers.has(d.bdf) ? 'blocker' : ''}>
            <a href={links.device(d.bdf)} className="mono bdf" data-testid={`device-link-${d.bdf}`}>
              {d.bdf}
            </a>
            <span
              className="dev-name"
              title={`${d.vendorName ?? vendorName(d.vendorId)} ${d.deviceName ?? ''} (${idPair(d.vendorId, d.deviceId)})`}
            >
              <span className="vendor">{vendorName(d.vendorId, d.vendorName)}</span> {d.deviceName ?? idPair(d.vendorId, d.deviceId)}
            </span>
            <span className="dev-class">
              {/* in the class cell: the row's grid has four columns */}
              {faults.get(d.bdf) ? (
                <span
                  className="badge bad"
                  data-testid={`device-faults-${d.bdf}`}
                  data-per-minute={faults.get(d.bdf)}
                  title="IOMMU faults the kernel logged for this device in the last minute: DMA to IOVAs that are not mapped"
                >
                  {faults.get(d.bdf)} faults/min
                </span>
              ) : null}{' '}
              {className(d.classCode)}
            </span>
            <DriverBadge driver={d.driver} />
          </li>
        ))}
      </ul>
      <Blockers g={g} devices={card.devices} />
      <NextStep g={g} devices={card.devices} />
    </article>
  );
});
