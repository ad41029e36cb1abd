/**
 * The sim kernel's way of returning -errno: a VfioError with the errno name,
 * the ioctl or syscall it answers, and the object it concerns.
 */
import { VfioError, type VfioErrorContext } from '@vfioscope/host';
import { ERRNO, errnoName, type ErrnoName } from '@vfioscope/uapi';

/**
 * errnos iommufd answers that @vfioscope/uapi's errno table does not list yet
 * (x86_64 numbers). A VfioError carries what `errnoName()` makes of the
 * number, exactly as the linux backend names the kernel's answer, so both
 * backends agree before and after the table learns these names.
 */
export const EXTRA_ERRNO = {
  /** "file descriptor in bad state": iommufd_ctx_from_fd() given an fd that is not an iommufd */
  EBADFD: 77,
  /** iopt_reserve_iova() / iopt_check_iova_alignment(): a mapping is in the way of an attach */
  EADDRINUSE: 98,
} as const;

export type SimErrno = ErrnoName | keyof typeof EXTRA_ERRNO;

/** The name a VfioError carries for `errno`. */
export function simErrnoName(errno: SimErrno): VfioError['errno'] {
  return Object.hasOwn(ERRNO, errno) ? (errno as ErrnoName) : errnoName(EXTRA_ERRNO[errno as keyof typeof EXTRA_ERRNO]);
}

export function fail(errno: SimErrno, op: string, message: string, context: VfioErrorContext = {}): never {
  throw new VfioError(simErrnoName(errno), op, message, context);
}

export const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
