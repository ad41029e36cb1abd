/**
 * The group actions as the operator meets them on a group card and on the
 * device page: Open (confirmed first when it takes a device a VM would use),
 * Release (confirmed first with what it tears down) and "Bind all blockers to
 * vfio-pci" (confirmed, one audited bind per device). Their results go to
 * toasts: a card jumps to another section when its group is opened or
 * released, and an answer drawn inside it would go with it.
 */
import { contextTitle } from '../../format/iommu.ts';
import { type ReactNode, useState } from 'react';
import type { GroupView, PciDeviceView } from '@vfioscope/protocol';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { ActionButton } from '../../components/ActionButton.tsx';
import { toast } from '../../components/toasts.ts';
import { toApiError } from '../../components/useAction.ts';
import { deviceLabel } from '../../format/pci-names.ts';
import { freedGroups } from './freed-groups.ts';
import { bindableBlockers, isPassthroughCandidate, releaseItems, releaseSummary } from './group-plan.ts';

type Confirm = { title: string; body: ReactNode; label: string };

/** runs an action once at a time; the answer goes to a toast */
function usePending(): [
  boolean,
  <T>(what: string, fn: () => Promise<T>, ok: (v: T) => [string, (string | undefined)?]) => Promise<T | undefined>,
] {
  const [pending, setPending] = useState(false);
  const run = async <T,>(what: string, fn: () => Promise<T>, ok: (v: T) => [string, (string | undefined)?]) => {
    setPending(true);
    try {
      const v = await fn();
      const [message, detail] = ok(v);
      toast.ok(message, detail);
      return v;
    } catch (e) {
      toast.error(toApiError(e), what);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return [pending, run];
}

/** The words of the Open confirmation, or null when opening takes nothing a VM would want. */
export function openConfirm(g: GroupView, devices: PciDeviceView[]): Confirm | null {
  if (!isPassthroughCandidate(devices)) return null;
  return {
    title: `Open group ${g.id} here?`,
    label: `Open group ${g.id}`,
    body: (
      <div className="stack" data-testid="open-warning">
        <span>
          Its devices ({devices.map((d) => deviceLabel(d)).join(', ')}) are bound to vfio-pci, most likely for a VM.{' '}
          <strong>Opening the group here takes it from any VM that would use it:</strong> VFIO lets one process hold{' '}
          <code>/dev/vfio/{g.id}</code>, so QEMU cannot start with these devices until vfioscope releases the group.
        </span>
        <span>vfio-pci also resets each function when its device fd opens.</span>
      </div>
    ),
  };
}

export function useOpenGroup(g: GroupView, devices: PciDeviceView[]) {
  const { api } = useHostClient();
  const [pending, run] = usePending();
  return {
    pending,
    confirm: openConfirm(g, devices),
    open: (container?: number) =>
      run(
        `Open group ${g.id}`,
        () => api.call('groupOpen', { params: { group: g.id }, body: container === undefined ? {} : { container } }),
        (r) => [
          `Group ${r.group} opened in ${contextTitle(r.kind, r.container).replace(/^C/, 'c')}`,
          r.devices?.length ? `device fds open: ${r.devices.join(', ')}` : undefined,
        ],
      ),
  };
}

/** The Release button: confirmed with what the release tears down. */
export function ReleaseButton({ g }: { g: GroupView }) {
  const { api } = useHostClient();
  const [pending, run] = usePending();
  const held = g.held;
  return (
    <ActionButton
      small
      testid={`group-close-${g.id}`}
      pending={pending}
      onClick={() =>
        run(
          `Release group ${g.id}`,
          () => api.call('groupClose', { params: { group: g.id } }),
          () => [`Group ${g.id} released`, held ? `torn down: ${releaseSummary(held)}` : undefined],
        )
      }
      confirm={{
        title: `Release group ${g.id}?`,
        label: `Release group ${g.id}`,
        body: (
          <div data-testid="release-plan">
            vfioscope lets go of group {g.id}
            {held ? (
              <>
                {' '}
                and tears down what it holds through it:
                <ul className="plain-list">
                  {releaseItems(g.id, held).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </>
            ) : (
              '.'
            )}
          </div>
        ),
      }}
    >
      Release…
    </ActionButton>
  );
}

/** "Bind all blockers to vfio-pci…": one audited POST /devices/:bdf/bind per blocker, stopping at the first refusal. */
export function BindBlockersButton({ g, devices }: { g: GroupView; devices: PciDeviceView[] }) {
  const { api } = useHostClient();
  const [pending, run] = usePending();
  const blockers = bindableBlockers(g, devices);
  if (g.viable || blockers.length === 0 || g.owners.some((o) => !o.self)) return null;
  const bindAll = async () => {
    for (const b of blockers) {
      const ok = await run(
        `Bind ${b.bdf} to vfio-pci`,
        () => api.call('deviceBind', { params: { bdf: b.bdf }, body: { driver: 'vfio-pci' } }),
        () => [`${b.bdf} left ${b.driver}, now on vfio-pci`],
      );
      if (ok === undefined) return;
    }
    freedGroups.add(g.id);
  };
  return (
    <ActionButton
      small
      testid={`bind-blockers-${g.id}`}
      pending={pending}
      onClick={() => void bindAll()}
      confirm={{
        title: `Bind group ${g.id}'s blockers to vfio-pci?`,
        label: `Bind ${blockers.length} to vfio-pci`,
        body: (
          <div data-testid="bind-plan">
            <ul className="plain-list">
              {blockers.map((b) => (
                <li key={b.bdf}>
                  <span className="mono">{b.bdf}</span> leaves <strong>{b.driver}</strong>
                </li>
              ))}
            </ul>
            The host can no longer use {blockers.length === 1 ? 'it' : 'them'} until bound back. Each bind writes driver_override and is
            recorded in the audit log.
          </div>
        ),
      }}
    >
      Bind all blockers to vfio-pci…
    </ActionButton>
  );
}
