/** The device's REST actions, typed by the protocol's route table. */
import type { IrqAction } from '@vfioscope/protocol';
import { api } from '../../api/rest.ts';

export const resetDevice = (bdf: string) => api.call('deviceReset', { params: { bdf } });

/** the functions the operator confirmed go along, so the server refuses if the kernel now names others */
export const hotResetDevice = (bdf: string, affected: string[]) => api.call('deviceHotReset', { params: { bdf }, body: { affected } });

export const irqAction = (bdf: string, index: number, action: IrqAction, start = 0, count = 1) =>
  api.call('deviceIrq', { params: { bdf, index }, body: { action, start, count } });

export const regionRead = (bdf: string, index: number, offset: string, size: number) =>
  api.call('regionRead', { params: { bdf, index }, body: { offset, size } });

export const regionWrite = (bdf: string, index: number, offset: string, data: string) =>
  api.call('regionWrite', { params: { bdf, index }, body: { offset, data } });
