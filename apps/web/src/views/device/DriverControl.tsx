/**
 * The device's driver binding (sysfs driver_override + drivers_probe): bind
 * to vfio-pci so the group can become viable, or unbind. Unbinding a device
 * from its host driver takes it away from the host, so both ask first. Not
 * drawn for a device another process (a VM) holds: rebinding it is not
 * something to do under a running guest.
 */
import type { PciDeviceView } from '@vfioscope/protocol';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';

export function DriverControl({ pci }: { pci: PciDeviceView }) {
  const { api } = useHostClient();
  const bind = useAction(
    (driver: string | null) => api.call('deviceBind', { params: { bdf: pci.bdf }, body: { driver } }),
    (r) => (r.driver ? `bound to ${r.driver}` : 'unbound'),
  );
  const onVfio = pci.driver?.startsWith('vfio') ?? false;
  return (
    <span className="row" data-testid="driver-control">
      {onVfio ? null : (
        <ActionButton
          small
          testid="device-bind-vfio"
          pending={bind.state.status === 'pending'}
          onClick={() => bind.run('vfio-pci')}
          confirm={{
            title: `Bind ${pci.bdf} to vfio-pci?`,
            label: 'Bind to vfio-pci',
            body: (
              <>
                The device leaves {pci.driver ? <strong>{pci.driver}</strong> : 'no driver'} and the host can no longer use it until it is
                bound back.
              </>
            ),
          }}
        >
          Bind to vfio-pci…
        </ActionButton>
      )}
      {pci.driver !== null ? (
        <ActionButton
          small
          variant="ghost"
          testid="device-unbind"
          pending={bind.state.status === 'pending'}
          onClick={() => bind.run(null)}
          confirm={{
            title: `Unbind ${pci.bdf} from ${pci.driver}?`,
            label: 'Unbind',
            body: 'The device will have no driver. A group whose devices are all on vfio-pci or unbound is viable.',
          }}
        >
          Unbind…
        </ActionButton>
      ) : null}
      <KernelAnswer state={bind.state} testid="bind-answer" />
    </span>
  );
}
