/**
 * The sim kernel's way of returning -errno: a VfioError with the errno name,
 * the ioctl or syscall it answers, and the object it concerns.
 */
import { VfioError, type VfioErrorContext } from '@vfioscope/host';
import type { ErrnoName } from '@vfioscope/uapi';

export type SimErrno = ErrnoName;

/** The name a VfioError carries for `errno` (every errno the sim answers is in @vfioscope/uapi's table). */
export function simErrnoName(errno: SimErrno): VfioError['errno'] {
  return errno;
}

export function fail(errno: SimErrno, op: string, message: string, context: VfioErrorContext = {}): never {
  throw new VfioError(simErrnoName(errno), op, message, context);
}

export const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
