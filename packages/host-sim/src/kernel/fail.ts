/**
 * The sim kernel's way of returning -errno: a VfioError with the errno name,
 * the ioctl or syscall it answers, and the object it concerns.
 */
import { VfioError, type VfioErrorContext } from '@vfioscope/host';
import type { ErrnoName } from '@vfioscope/uapi';

export function fail(errno: ErrnoName, op: string, message: string, context: VfioErrorContext = {}): never {
  throw new VfioError(errno, op, message, context);
}

export const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
