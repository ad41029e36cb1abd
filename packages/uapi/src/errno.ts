/**
 * errno numbers (x86_64 / asm-generic) for the failures VFIO, the IOMMU
 * drivers and the syscalls around them report. The names are the contract:
 * they travel unchanged from the kernel (or the sim) to the UI.
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  /** a file past RLIMIT_FSIZE (the audit log on a size-limited disk) */
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  /** /dev/kmsg: the record a reader was at was overwritten in the printk ring (devkmsg_read) */
  EPIPE: 32,
  ERANGE: 34,
  ENOSYS: 38,
  ENODATA: 61,
  /** a file of the wrong kind in an fd slot (iommufd's cdev bind of a non-iommufd fd; SET_CONTAINER on 6.12) */
  EBADFD: 77,
  /** a buffer too small for the answer (IOMMU_IOAS_IOVA_RANGES with too few slots) */
  EMSGSIZE: 90,
  /** an IOVA range a device's domain must keep free is mapped (iommufd attach: the MSI window, the aperture) */
  EADDRINUSE: 98,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
} as const;

export type ErrnoName = keyof typeof ERRNO;

const BY_NUMBER = new Map<number, ErrnoName>((Object.entries(ERRNO) as [ErrnoName, number][]).map(([name, n]) => [n, name]));

/** The name of an errno number, or `E<n>` style fallback `ERRNO_<n>` when it is not one VFIO uses. */
export function errnoName(n: number): ErrnoName | `ERRNO_${number}` {
  return BY_NUMBER.get(Math.abs(n)) ?? `ERRNO_${Math.abs(n)}`;
}

export function errnoNumber(name: ErrnoName): number {
  return ERRNO[name];
}

export function isErrnoName(s: string): s is ErrnoName {
  return Object.hasOwn(ERRNO, s);
}
