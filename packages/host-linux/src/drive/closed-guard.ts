/**
 * A closed fd number can be reused by the next open(), so an object used
 * after close() must not reach the kernel with it: it fails with EBADF, as
 * the call on the stale fd would have.
 */
import { VfioError, type VfioErrorContext } from '@vfioscope/host';

export function assertOpen(closed: boolean, op: string, what: string, context?: VfioErrorContext): void {
  if (closed) throw VfioError.fromErrno(9 /* EBADF */, op, `${what} is closed`, context);
}
