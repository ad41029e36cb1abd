/**
 * A group's viability as the group card and the device page both show it:
 * which devices block it and on which drivers, the way to unblock it, and —
 * once the operator has bound the blockers to vfio-pci — what comes next.
 */
import type { GroupView, PciDeviceView } from '@vfioscope/protocol';
import { freedGroups, useFreed } from './freed-groups.ts';
import { BindBlockersButton } from './group-actions.tsx';
import { qemuArgs } from './group-plan.ts';

export function Blockers({ g, devices }: { g: GroupView; devices: PciDeviceView[] }) {
  if (g.viable || g.blockers.length === 0) return null;
  return (
    <div
      className="blockers"
      data-testid="blockers"
      title="Every device of a group must be on vfio-pci (or have no driver) before any of it can be passed through."
    >
      <span>
        Blocked by{' '}
        {g.blockers.map((b, i) => (
          <span key={b.bdf}>
            {i ? ', ' : ''}
            <span className="mono">{b.bdf}</span> → <strong>{b.driver}</strong>
          </span>
        ))}
      </span>
      <BindBlockersButton g={g} devices={devices} />
    </div>
  );
}

/** After "Bind all blockers": the group is viable — how to give it to a VM, or to take it here. */
export function NextStep({ g, devices }: { g: GroupView; devices: PciDeviceView[] }) {
  const freed = useFreed(g.id);
  if (!freed || !g.viable || g.container !== null || g.owners.length > 0) return null;
  return (
    <div className="next-step" data-testid="next-step" role="status">
      <div>
        <strong>Group {g.id} viable</strong> — pass it to QEMU with <code data-testid="next-step-qemu">{qemuArgs(devices)}</code>, or open
        it here.
      </div>
      <div className="warn-text">
        Opening it here takes it from any VM that would use it: only one process can hold <code>/dev/vfio/{g.id}</code>.
      </div>
      <button type="button" className="btn ghost small" onClick={() => freedGroups.dismiss(g.id)} data-testid="next-step-dismiss">
        Got it
      </button>
    </div>
  );
}
