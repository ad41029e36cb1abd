/**
 * One IOMMU group: its devices, viability (and which device and driver block
 * it), its owner and container, and the open/release actions (vfioscope takes
 * the group: VFIO_GROUP_SET_CONTAINER, then SET_IOMMU TYPE1v2 on a new
 * container). Compact, so a few hundred groups stay scannable.
 */
import { memo, useState } from 'react';
import { apiPaths, type CloseGroupResponse, type OpenGroupResponse } from '@vfioscope/protocol';
import { post } from '../../api/rest.ts';
import { deviceHref, dmaHref } from '../../app/router.ts';
import { className, idPair, vendorName } from '../../format/pci-names.ts';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { ownerLabel, type GroupCardModel } from './topology-model.ts';

function DriverBadge({ driver }: { driver: string | null }) {
  if (driver === null) return <span className="badge outline">no driver</span>;
  if (driver.startsWith('vfio')) return <span className="badge accent">{driver}</span>;
  return <span className="badge warn">{driver}</span>;
}

export const GroupCard = memo(function GroupCard(props: { card: GroupCardModel; containers: number[]; inCluster?: boolean }) {
  const { card, containers } = props;
  const g = card.group;
  const open = useAction(
    (container: number | undefined) => post<OpenGroupResponse>(apiPaths.groupOpen(g.id), container === undefined ? {} : { container }),
    (r) => `group ${r.group} attached to container ${r.container}`,
  );
  const close = useAction(
    () => post<CloseGroupResponse>(apiPaths.groupClose(g.id)),
    () => `group ${g.id} released`,
  );
  const [target, setTarget] = useState<string>('new');
  const [last, setLast] = useState<'open' | 'close'>('open');
  const owner = ownerLabel(g);
  const held = g.container !== null;
  const foreign = g.owners.some((o) => !o.self);
  const blockers = new Set(g.blockers.map((b) => b.bdf));
  const answer = last === 'close' ? close.state : open.state;
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
          <a className="badge accent" href={dmaHref(g.container!)} data-testid="group-container">
            container {g.container}
          </a>
        ) : null}
        <span className="spacer" />
        <span
          className={`owner ${foreign ? 'foreign' : owner ? 'self' : ''}`}
          data-testid="group-owner"
          title={g.owners.map((o) => `${o.comm} (pid ${o.pid}): ${o.cmdline}`).join('\n') || undefined}
        >
          {owner ?? 'free'}
        </span>
        {held ? (
          <ActionButton
            small
            testid={`group-close-${g.id}`}
            onClick={() => {
              setLast('close');
              close.run();
            }}
            pending={close.state.status === 'pending'}
          >
            Release
          </ActionButton>
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
              pending={open.state.status === 'pending'}
              onClick={() => {
                setLast('open');
                open.run(target === 'new' ? undefined : Number(target));
              }}
            >
              Open
            </ActionButton>
          </>
        ) : null}
      </header>
      <ul className="dev-list">
        {card.devices.map((d) => (
          <li key={d.bdf} className={blockers.has(d.bdf) ? 'blocker' : ''}>
            <a href={deviceHref(d.bdf)} className="mono bdf" data-testid={`device-link-${d.bdf}`}>
              {d.bdf}
            </a>
            <span
              className="dev-name"
              title={`${d.vendorName ?? vendorName(d.vendorId)} ${d.deviceName ?? ''} (${idPair(d.vendorId, d.deviceId)})`}
            >
              <span className="vendor">{vendorName(d.vendorId, d.vendorName)}</span> {d.deviceName ?? idPair(d.vendorId, d.deviceId)}
            </span>
            <span className="dev-class">{className(d.classCode)}</span>
            <DriverBadge driver={d.driver} />
          </li>
        ))}
      </ul>
      {!g.viable && g.blockers.length ? (
        <div
          className="blockers"
          data-testid="blockers"
          title={`${g.blockers.map((b) => `${b.bdf} → ${b.driver}`).join(', ')}\nBind them to vfio-pci (or unbind them) to make the group viable.`}
        >
          Blocked by{' '}
          {g.blockers.map((b, i) => (
            <span key={b.bdf}>
              {i ? ', ' : ''}
              <span className="mono">{b.bdf}</span> → <strong>{b.driver}</strong>
            </span>
          ))}
        </div>
      ) : null}
      {answer.status !== 'idle' ? (
        <footer className="group-answer">
          <KernelAnswer state={answer} testid={`group-answer-${g.id}`} />
        </footer>
      ) : null}
    </article>
  );
});
