/** The device's REST actions, typed by the protocol's route table, on the host whose client is given. */
import type { ApiClient, IrqAction } from '@vfioscope/protocol';

export const resetDevice = (api: ApiClient, bdf: string) => api.call('deviceReset', { params: { bdf } });

/** the functions the operator confirmed go along, so the server refuses if the kernel now names others */
export const hotResetDevice = (api: ApiClient, bdf: string, affected: string[]) =>
  api.call('deviceHotReset', { params: { bdf }, body: { affected } });

export const irqAction = (api: ApiClient, bdf: string, index: number, action: IrqAction, start = 0, count = 1) =>
  api.call('deviceIrq', { params: { bdf, index }, body: { action, start, count } });

export const regionRead = (api: ApiClient, bdf: string, index: number, offset: string, size: number) =>
  api.call('regionRead', { params: { bdf, index }, body: { offset, size } });

export const regionWrite = (api: ApiClient, bdf: string, index: number, offset: string, data: string) =>
  api.call('regionWrite', { params: { bdf, index }, body: { offset, data } });
