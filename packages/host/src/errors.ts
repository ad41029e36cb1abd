/**
 * Every failure of a Host call is a VfioError: the kernel's errno name at the
 * bottom, the operation (ioctl or syscall) above it, the object (device BDF,
 * group, container) on top. Both backends raise exactly the same errno for the
 * same misuse; the conformance suite checks it.
 */
import { errnoName, type ErrnoName } from '@vfioscope/uapi';

export interface VfioErrorContext {
  /** device BDF, e.g. "0000:01:00.0" */
  device?: string;
  group?: number;
  container?: number;
  /** the request field the kernel (or our validation) objected to */
  field?: string;
  [key: string]: unknown;
}

export class VfioError extends Error {
  override readonly name = 'VfioError';
  constructor(
    readonly errno: ErrnoName | `ERRNO_${number}`,
    /** the operation, named like the kernel's: "VFIO_IOMMU_MAP_DMA", "open", "VFIO_DEVICE_RESET" */
    readonly op: string,
    message: string,
    readonly context: VfioErrorContext = {},
  ) {
    super(`${op}: ${errno}: ${message}`);
  }

  /** The human part without the op/errno prefix. */
  get detail(): string {
    return this.message.slice(this.op.length + this.errno.length + 4);
  }

  static fromErrno(n: number, op: string, message: string, context?: VfioErrorContext): VfioError {
    return new VfioError(errnoName(n), op, message, context);
  }
}

export function isVfioError(e: unknown): e is VfioError {
  return e instanceof VfioError;
}
