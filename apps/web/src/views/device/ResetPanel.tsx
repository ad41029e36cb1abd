/**
 * Reset on the device page, told truthfully: the PCI core's methods with what
 * each does, whether VFIO offers VFIO_DEVICE_RESET, what a hot (bus) reset
 * would take along — confirmed with that list before it runs — and what
 * config space said after the last reset: a device that reads all-ones did
 * not come back. Live from the device topic, so a reset anyone does (another
 * operator, a script) shows here as it happens.
 */
import type { DeviceResetView, ResetVerificationView } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { NO_RESET_METHOD, resetMethodMeaning } from '../../format/reset-methods.ts';
import { hotResetDevice } from './device-actions.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

/** a vfio_pci_dependent_device's id: its group, or (a cdev-opened device) its devid in vfioscope's iommufd */
function dependentLabel(id: number, devid: boolean): string {
  if (!devid) return `group ${id}`;
  if (id === 0) return 'owned through its group';
  if (id === 0xffffffff) return 'not owned by vfioscope';
  return `devid ${id}`;
}

export function Verification({ v, testid }: { v: ResetVerificationView; testid: string }) {
  return (
    <span
      className={`answer ${v.cameBack ? 'ok' : 'err'}`}
      data-testid={testid}
      data-came-back={v.cameBack}
      role={v.cameBack ? 'status' : 'alert'}
    >
      {v.cameBack ? '✓ ' : '✗ '}
      {v.summary}
    </span>
  );
}

export function ResetPanel({
  bdf,
  groupOpen,
  reset,
  disabledReason,
}: {
  bdf: string;
  groupOpen: boolean;
  reset: DeviceResetView;
  disabledReason: string | null;
}) {
  const { api } = useHostClient();
  const hot = useAction(
    (affected: string[]) => hotResetDevice(api, bdf, affected),
    (r) => `VFIO_DEVICE_PCI_HOT_RESET done: ${r.affected.length} function${r.affected.length === 1 ? '' : 's'} reset`,
  );
  const deps = reset.hotReset;
  return (
    <section className="panel" data-testid="device-reset-panel">
      <div className="panel-head">
        <h3>Reset</h3>
        <span className="faint">what the kernel can do to bring this function back to power-on state</span>
      </div>
      <div className="panel-body stack">
        <div>
          <div className="muted">reset_method (sysfs, in the order the kernel tries them)</div>
          {reset.methods.length === 0 ? (
            <p data-testid="reset-methods-none">{NO_RESET_METHOD}</p>
          ) : (
            <ul className="plain-list" data-testid="reset-methods">
              {reset.methods.map((m) => (
                <li key={m} data-method={m}>
                  <span className="mono">{m}</span> — {resetMethodMeaning(m)}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div data-testid="reset-vfio" data-offered={String(reset.vfioReset)}>
          <span className="muted">VFIO_DEVICE_RESET: </span>
          {reset.vfioReset === null
            ? 'unknown until vfioscope holds the device fd (VFIO_DEVICE_FLAGS_RESET is in DEVICE_GET_INFO)'
            : reset.vfioReset
              ? 'offered (VFIO_DEVICE_FLAGS_RESET)'
              : 'not offered: the kernel answers EINVAL'}
        </div>
        <div data-testid="reset-hot">
          <span className="muted">Hot reset (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO): </span>
          {deps === null ? (
            'unknown until vfioscope holds the device fd'
          ) : deps.error !== null ? (
            <span>
              <span className="errno">{deps.error}</span>{' '}
              {deps.error === 'ENODEV' ? 'no slot or bus reset can reach this function (a root bus, or a bridge that cannot reset)' : ''}
            </span>
          ) : (
            <>
              takes along {deps.devices.length} function{deps.devices.length === 1 ? '' : 's'}:
              <ul className="plain-list" data-testid="reset-hot-devices">
                {deps.devices.map((d) => (
                  <li key={d.bdf} className="mono">
                    {d.bdf} · {dependentLabel(d.id, deps.devid)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        {groupOpen && deps !== null && deps.error === null && deps.devices.length > 0 ? (
          <span className="row">
            <KernelAnswer state={hot.state} testid="hot-reset-answer" />
            <ActionButton
              variant="danger"
              testid="device-hot-reset"
              disabledReason={disabledReason}
              pending={hot.state.status === 'pending'}
              onClick={() => void hot.run(deps.devices.map((d) => d.bdf))}
              confirm={{
                title: `Hot reset ${bdf}?`,
                label: 'Reset the bus',
                body: (
                  <>
                    VFIO_DEVICE_PCI_HOT_RESET resets the bus under {bdf}&apos;s bridge, and with it:
                    <ul className="plain-list" data-testid="hot-reset-confirm-list">
                      {deps.devices.map((d) => (
                        <li key={d.bdf} className="mono">
                          {d.bdf} ({dependentLabel(d.id, deps.devid)})
                        </li>
                      ))}
                    </ul>
                    The kernel refuses (EINVAL) unless vfioscope owns every one of them (holds its group, or on iommufd has it in the same
                    iommufd).
                  </>
                ),
              }}
            >
              Hot reset…
            </ActionButton>
          </span>
        ) : null}
        {hot.state.status === 'ok'
          ? hot.state.value.verifications.map((v) => <Verification key={v.bdf} v={v} testid="hot-reset-verification" />)
          : null}
        {reset.last ? (
          <div data-testid="reset-last-section" data-ts={reset.last.ts}>
            <div className="muted">last reset ({reset.last.how === 'hot' ? 'hot reset' : 'VFIO_DEVICE_RESET'})</div>
            <Verification v={reset.last} testid="reset-last" />
          </div>
        ) : null}
      </div>
    </section>
  );
}
