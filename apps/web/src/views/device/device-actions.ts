/** The device's REST actions, typed by the protocol. */
import {
  apiPaths,
  type HotResetResponse,
  type IrqAction,
  type IrqActionResponse,
  type RegionReadResponse,
  type RegionWriteResponse,
  type ResetResponse,
} from '@vfioscope/protocol';
import { post } from '../../api/rest.ts';

export const resetDevice = (bdf: string) => post<ResetResponse>(apiPaths.deviceReset(bdf));

/** the functions the operator confirmed go along, so the server refuses if the kernel now names others */
export const hotResetDevice = (bdf: string, affected: string[]) => post<HotResetResponse>(apiPaths.deviceHotReset(bdf), { affected });

export const irqAction = (bdf: string, index: number, action: IrqAction, start = 0, count = 1) =>
  post<IrqActionResponse>(apiPaths.deviceIrq(bdf, index), { action, start, count });

export const regionRead = (bdf: string, index: number, offset: string, size: number) =>
  post<RegionReadResponse>(apiPaths.regionRead(bdf, index), { offset, size });

export const regionWrite = (bdf: string, index: number, offset: string, data: string) =>
  post<RegionWriteResponse>(apiPaths.regionWrite(bdf, index), { offset, data });
