/**
 * One device: identity, device fd info and flags, regions, decoded config
 * space, IRQ indexes with live per-vector rates and SET_IRQS controls, reset
 * (methods, VFIO reset, hot-reset dependencies, the last reset's verification),
 * and region I/O. The device fd exists only while vfioscope holds the group,
 * so an unheld device offers to open its group first; its group's viability
 * (and the way to unblock it) is shown here too. While the device storms, a
 * "what you can do" box fitted to the case comes first. On a device a VM (or
 * another process) holds, controls that cannot apply are not drawn.
 */
import { useMemo } from 'react';
import type { GroupView, PciDeviceView, StormAlert } from '@vfioscope/protocol';
import { useAlerts, useDeviceLive, useTopology } from '../../live/hooks.ts';
import { useSession } from '../../app/session.tsx';
import { ActionButton, RoleNote } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { className, vendorName } from '../../format/pci-names.ts';
import { processLabel } from '../../format/owner.ts';
import { activeStorms } from '../interrupts/storm-model.ts';
import { useOpenGroup } from '../topology/group-actions.tsx';
import { ConfigPanel, DeviceInfoPanel } from './DeviceInfoPanel.tsx';
import { RegionsPanel } from './RegionsPanel.tsx';
import { IrqPanel } from './IrqPanel.tsx';
import { RegionIoPanel } from './RegionIoPanel.tsx';
import { DriverControl } from './DriverControl.tsx';
import { GroupPanel } from './GroupPanel.tsx';
import { StormAdvicePanel } from './StormAdvice.tsx';
import { KernelMessagesPanel } from './KernelMessagesPanel.tsx';
import { resetDevice } from './device-actions.ts';
import { ResetPanel, Verification } from './ResetPanel.tsx';
import { useHostClient } from '../../host/HostClientProvider.tsx';

const NO_DEVICES: PciDeviceView[] = [];

export function DeviceView({ bdf: rawBdf }: { bdf: string }) {
  const { api, links } = useHostClient();
  const bdf = rawBdf.toLowerCase();
  const topo = useTopology().state;
  const live = useDeviceLive(bdf);
  const alerts = useAlerts().state;
  const session = useSession();
  const pci = useMemo(() => topo?.devices.find((d) => d.bdf === bdf), [topo, bdf]);
  const group = useMemo(() => topo?.groups.find((g) => g.devices.includes(bdf)), [topo, bdf]);
  const groupDevices = useMemo(
    () => (group && topo ? topo.devices.filter((d) => group.devices.includes(d.bdf)) : NO_DEVICES),
    [topo, group],
  );
  const storms = useMemo(() => activeStorms(alerts?.values()).filter((a) => a.bdf === bdf), [alerts, bdf]);
  const stormsByKey = useMemo(() => new Map(storms.map((a) => [a.key, a])), [storms]);
  const reset = useAction(
    () => resetDevice(api, bdf),
    (r) => `VFIO_DEVICE_RESET done: ${r.verification.summary}`,
  );
  const dev = live.state;
  const state = dev?.state ?? null;
  const hasResetFlag = state?.info.flagNames.includes('RESET') ?? false;
  const foreign = group?.owners.filter((o) => !o.self) ?? [];

  if (live.error && !dev) {
    return (
      <div className="page" data-testid="device-view">
        <div className="crumbs">
          <a href={links.view({ view: 'topology' })}>Topology</a> / {bdf}
        </div>
        <div className="panel panel-body answer err" data-testid="device-error">
          {live.error}
        </div>
      </div>
    );
  }

  return (
    <div className="page" data-testid="device-view" data-bdf={bdf}>
      <div className="crumbs">
        <a href={links.view({ view: 'topology' })}>Topology</a> / {group ? `group ${group.id}` : '…'} / {bdf}
      </div>
      <div className="page-head">
        <div className="device-title">
          <span className="bdf" data-testid="device-bdf">
            {bdf}
          </span>
          {pci ? (
            <span>
              <span className="muted">{vendorName(pci.vendorId, pci.vendorName)}</span> {pci.deviceName ?? ''}
            </span>
          ) : null}
          {pci ? <span className="badge outline">{className(pci.classCode)}</span> : null}
          {group ? <span className="badge outline">group {group.id}</span> : null}
          {group?.container != null ? (
            <a className="badge accent" href={links.dma(group.container)} data-testid="device-container" data-container={group.container}>
              container {group.container}
            </a>
          ) : null}
          {dev ? (
            dev.groupOpen ? (
              <span className="badge ok" data-testid="device-held">
                device fd open
              </span>
            ) : (
              <span className="badge">not held</span>
            )
          ) : null}
        </div>
        <span className="spacer" />
        <RoleNote />
        {dev?.groupOpen ? (
          <span className="row">
            {reset.state.status === 'ok' && !reset.state.value.verification.cameBack ? (
              <Verification v={reset.state.value.verification} testid="reset-answer" />
            ) : (
              <KernelAnswer state={reset.state} testid="reset-answer" />
            )}
            <ActionButton
              variant="danger"
              testid="device-reset"
              pending={reset.state.status === 'pending'}
              onClick={() => reset.run()}
              confirm={{
                title: `Reset ${bdf}?`,
                label: 'Reset device',
                body: (
                  <>
                    VFIO_DEVICE_RESET resets the function.{' '}
                    {hasResetFlag
                      ? 'The device offers a reset.'
                      : 'The device does not advertise VFIO_DEVICE_FLAGS_RESET; the kernel will likely refuse.'}{' '}
                    Interrupt programming held by VFIO is kept. vfioscope reads config space back afterwards: a device that reads all-ones
                    did not come back.
                  </>
                ),
              }}
            >
              Reset…
            </ActionButton>
          </span>
        ) : null}
      </div>

      {dev && !dev.groupOpen ? (
        foreign.length ? (
          <div className="panel not-held" data-testid="device-not-held" data-foreign="true">
            <p>
              Group {group?.id} is held by <strong data-testid="device-holder">{foreign.map((o) => processLabel(o)).join(', ')}</strong>
              {foreign.some((o) => o.vm) ? ', a VM' : ''}: the device fd is theirs. vfioscope watches its interrupts in /proc/interrupts;
              opening, resetting and rebinding are for the holder.
            </p>
          </div>
        ) : group ? (
          <NotHeld group={group} devices={groupDevices} />
        ) : null
      ) : null}

      {!dev ? <div className="empty">loading device…</div> : null}
      {dev ? (
        <div className="stack">
          <StormAdvicePanel storms={storms} irqs={state?.irqs ?? []} />
          <div className="device-row">
            <DeviceInfoPanel
              pci={pci}
              state={state}
              driverControl={pci && !dev.groupOpen && foreign.length === 0 ? <DriverControl pci={pci} /> : null}
            />
            {state ? (
              <RegionsPanel regions={state.regions} />
            ) : group ? (
              <GroupPanel group={group} devices={groupDevices} bdf={bdf} />
            ) : null}
          </div>
          <ResetPanel bdf={bdf} groupOpen={dev.groupOpen} reset={dev.reset} disabledReason={session.actionBlockedReason} />
          {state ? (
            <IrqPanel
              bdf={bdf}
              irqs={state.irqs}
              rates={dev.rates}
              history={dev.history}
              disabledReason={session.actionBlockedReason}
              storms={stormsByKey}
            />
          ) : dev.rates.length ? (
            <ObservedRates dev={dev} storms={stormsByKey} />
          ) : null}
          {state ? (
            <div className="device-row">
              <RegionIoPanel bdf={bdf} regions={state.regions} disabledReason={session.actionBlockedReason} />
              {state.config ? <ConfigPanel config={state.config} /> : null}
            </div>
          ) : null}
          <KernelMessagesPanel bdf={bdf} />
        </div>
      ) : null}
    </div>
  );
}

/** A group vfioscope does not hold and nobody else does: open it here (confirmed when a VM would want it). */
function NotHeld({ group, devices }: { group: GroupView; devices: PciDeviceView[] }) {
  const open = useOpenGroup(group, devices);
  return (
    <div className="panel not-held" data-testid="device-not-held">
      <p>vfioscope does not hold group {group.id}. The device fd — regions, IRQ control, reset — needs the group open.</p>
      <ActionButton
        variant="primary"
        testid="device-open-group"
        disabledReason={group.viable ? null : 'group is not viable'}
        pending={open.pending}
        onClick={() => void open.open()}
        {...(open.confirm ? { confirm: open.confirm } : {})}
      >
        Open group {group.id}
        {open.confirm ? '…' : ''}
      </ActionButton>
    </div>
  );
}

/** Rates of vectors another owner (e.g. QEMU) wired, seen in /proc/interrupts: watched, not controlled. */
function ObservedRates({ dev, storms }: { dev: NonNullable<ReturnType<typeof useDeviceLive>['state']>; storms: Map<string, StormAlert> }) {
  const byIndex = new Map<string, typeof dev.rates>();
  for (const r of dev.rates) byIndex.set(r.index, [...(byIndex.get(r.index) ?? []), r]);
  return (
    <IrqPanel
      bdf={dev.bdf}
      irqs={[...byIndex.entries()].map(([name, rates], i) => ({
        index: i,
        name: name as 'MSIX',
        flags: 0,
        flagNames: ['observed'],
        count: rates.length,
        enabled: true,
        masked: null,
        vectorsWired: rates.length,
      }))}
      rates={dev.rates}
      history={dev.history}
      disabledReason={null}
      storms={storms}
      controls={false}
    />
  );
}
