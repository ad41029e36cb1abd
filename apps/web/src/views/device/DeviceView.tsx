/**
 * One device: identity, device fd info and flags, regions, decoded config
 * space, IRQ indexes with live per-vector rates and SET_IRQS controls, reset,
 * and region I/O. The device fd exists only while vfioscope holds the group,
 * so an unheld device offers to open its group first.
 */
import { useMemo } from 'react';
import { useDeviceLive, useTopology } from '../../live/hooks.ts';
import { useSession } from '../../app/session.tsx';
import { dmaHref } from '../../app/router.ts';
import { ActionButton, RoleNote } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { className, vendorName } from '../../format/pci-names.ts';
import { ConfigPanel, DeviceInfoPanel } from './DeviceInfoPanel.tsx';
import { RegionsPanel } from './RegionsPanel.tsx';
import { IrqPanel } from './IrqPanel.tsx';
import { RegionIoPanel } from './RegionIoPanel.tsx';
import { DriverControl } from './DriverControl.tsx';
import { openGroup, resetDevice } from './device-actions.ts';

export function DeviceView({ bdf }: { bdf: string }) {
  const topo = useTopology().state;
  const live = useDeviceLive(bdf);
  const session = useSession();
  const pci = useMemo(() => topo?.devices.find((d) => d.bdf === bdf.toLowerCase()), [topo, bdf]);
  const group = useMemo(() => topo?.groups.find((g) => g.devices.includes(bdf.toLowerCase())), [topo, bdf]);
  const reset = useAction(
    () => resetDevice(bdf),
    () => 'VFIO_DEVICE_RESET done',
  );
  const open = useAction(
    (g: number) => openGroup(g),
    (r) => `group ${r.group} attached to container ${r.container}`,
  );
  const dev = live.state;
  const state = dev?.state ?? null;
  const hasResetFlag = state?.info.flagNames.includes('RESET') ?? false;
  const foreign = group?.owners.some((o) => !o.self) ?? false;

  if (live.error && !dev) {
    return (
      <div className="page" data-testid="device-view">
        <div className="crumbs">
          <a href="#/topology">Topology</a> / {bdf}
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
        <a href="#/topology">Topology</a> / {group ? `group ${group.id}` : '…'} / {bdf}
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
            <a className="badge accent" href={dmaHref(group.container)} data-testid="device-container" data-container={group.container}>
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
            <KernelAnswer state={reset.state} testid="reset-answer" />
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
                    Interrupt programming held by VFIO is kept.
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
        <div className="panel not-held" data-testid="device-not-held">
          <p>
            vfioscope does not hold group {group?.id ?? '?'}
            {foreign ? `: it is held by ${group!.owners.map((o) => `${o.comm} (pid ${o.pid})`).join(', ')}` : ''}. The device fd — regions,
            IRQ control, reset — needs the group open.
          </p>
          <ActionButton
            variant="primary"
            testid="device-open-group"
            disabledReason={
              group === undefined ? 'unknown group' : foreign ? 'held by another process' : !group.viable ? 'group is not viable' : null
            }
            pending={open.state.status === 'pending'}
            onClick={() => group && open.run(group.id)}
          >
            Open group {group?.id}
          </ActionButton>
          <KernelAnswer state={open.state} testid="device-open-answer" />
        </div>
      ) : null}

      {!dev ? <div className="empty">loading device…</div> : null}
      {dev ? (
        <div className="stack">
          <div className="device-row">
            <DeviceInfoPanel
              pci={pci}
              state={state}
              driverControl={pci && !dev.groupOpen ? <DriverControl pci={pci} heldByOther={foreign} /> : null}
            />
            {state ? <RegionsPanel regions={state.regions} /> : null}
          </div>
          {state ? (
            <IrqPanel
              bdf={bdf}
              irqs={state.irqs}
              rates={dev.rates}
              history={dev.history}
              now={dev.t}
              disabledReason={session.actionBlockedReason}
            />
          ) : dev.rates.length ? (
            <ObservedRates dev={dev} />
          ) : null}
          {state ? (
            <div className="device-row">
              <RegionIoPanel bdf={bdf} regions={state.regions} disabledReason={session.actionBlockedReason} />
              {state.config ? <ConfigPanel config={state.config} /> : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Rates of vectors another owner (e.g. QEMU) wired, seen in /proc/interrupts. */
function ObservedRates({ dev }: { dev: NonNullable<ReturnType<typeof useDeviceLive>['state']> }) {
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
      now={dev.t}
      disabledReason="held by another process: observe only"
    />
  );
}
