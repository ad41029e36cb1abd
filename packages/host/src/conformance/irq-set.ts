/**
 * VFIO_DEVICE_SET_IRQS in the shapes the suite uses: eventfds for a vector
 * range, or DATA_NONE (loopback trigger, mask, unmask, or disable with
 * count 0). Wired triggers are disabled again by the case's Scope.
 */
import { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX } from '@vfioscope/uapi';
import type { Device, EventFd } from '../drive.ts';
import type { Scope } from './scope.ts';

export function setIrqEventfds(device: Device, index: number, action: number, fds: EventFd[], start = 0): Promise<void> {
  return device.setIrqs({ index, start, count: fds.length, action, data: { type: 'eventfd', fds } });
}

export function setIrqNone(device: Device, index: number, action: number, count = 1): Promise<void> {
  return device.setIrqs({ index, start: 0, count, action, data: { type: 'none' } });
}

/** Wire one eventfd to vector 0 of `index` as its trigger; disabled again at teardown. */
export async function wireTrigger(scope: Scope, device: Device, index: number): Promise<EventFd> {
  const efd = await scope.eventFd();
  await setIrqEventfds(device, index, VFIO_IRQ_SET_ACTION_TRIGGER, [efd]);
  scope.disableIrqAtTeardown(device, index);
  return efd;
}

export function unmaskIntx(device: Device): Promise<void> {
  return setIrqNone(device, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
}

/** DATA_NONE | ACTION_TRIGGER with count 0: turn the index off */
export function disableIndex(device: Device, index: number): Promise<void> {
  return setIrqNone(device, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0);
}
