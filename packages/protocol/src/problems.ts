/**
 * The fixed list of problem codes an error can carry, and the HTTP status each
 * maps to. Kernel errno names travel unchanged from the syscall (or the sim)
 * to the UI; a few codes of our own cover what happens before a request
 * reaches the kernel (auth, schema validation, unknown resources).
 *
 * Status choices: EINVAL/EOVERFLOW/ERANGE/E2BIG/EFAULT → 400 (the request is
 * wrong); EPERM/EACCES → 403; ENODEV/ENOENT/ENXIO → 404; EEXIST/EBUSY/EAGAIN
 * → 409 (conflicts with current state); ENOSPC (dma_entry_limit reached) and
 * ENOMEM (RLIMIT_MEMLOCK exhausted) → 507 Insufficient Storage: a resource
 * limit, not a conflict, so a client can tell "free something up" from "undo
 * the clash"; ENOTTY → 400: in VFIO it is the answer to an operation the
 * device's driver has no handler for (vfio-pci's mask/unmask on MSI/MSI-X,
 * vfio_pci_core_ioctl's default case), a request the client should not make;
 * ENOSYS/EOPNOTSUPP → 501; ETIMEDOUT → 504; the rest → 500.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Kernel errno names (the same set as @vfioscope/uapi's ERRNO table). */
export const KERNEL_ERRNOS = [
  'EPERM',
  'ENOENT',
  'ESRCH',
  'EINTR',
  'EIO',
  'ENXIO',
  'E2BIG',
  'EBADF',
  'EAGAIN',
  'ENOMEM',
  'EACCES',
  'EFAULT',
  'EBUSY',
  'EEXIST',
  'ENODEV',
  'ENOTDIR',
  'EISDIR',
  'EINVAL',
  'ENFILE',
  'EMFILE',
  'ENOTTY',
  'EFBIG',
  'ENOSPC',
  'ESPIPE',
  'EROFS',
  'EPIPE',
  'ERANGE',
  'ENOSYS',
  'ENODATA',
  'EBADFD',
  'EMSGSIZE',
  'EADDRINUSE',
  'EOVERFLOW',
  'EOPNOTSUPP',
  'ETIMEDOUT',
] as const;

/** Codes of our own: refusals that happen before anything reaches the kernel. */
export const APP_PROBLEMS = [
  /** no token, or an unknown one → 401 */
  'EAUTH',
  /** a valid token whose role may not do this, or a refused WebSocket Origin → 403 */
  'EFORBIDDEN',
  /** the request does not match its schema (types, missing fields, bad hex) → 400 */
  'EVALIDATION',
  /** no such route, device, group or container → 404 */
  'ENOTFOUND',
  /** the Host header names none of the server's names (DNS rebinding) → 421 */
  'EMISDIRECTED',
  /** a bug or an unexpected failure → 500 */
  'EINTERNAL',
] as const;

export type KernelErrno = (typeof KERNEL_ERRNOS)[number];
export type AppProblem = (typeof APP_PROBLEMS)[number];
/** `ERRNO_<n>` is how an errno outside the table travels (see @vfioscope/uapi errnoName). */
export type ProblemCode = KernelErrno | AppProblem | `ERRNO_${number}`;

export const ProblemCode = Type.Union([
  ...KERNEL_ERRNOS.map((c) => Type.Literal(c)),
  ...APP_PROBLEMS.map((c) => Type.Literal(c)),
  Type.String({ pattern: '^ERRNO_[0-9]+$' }),
]);

const STATUS: Record<KernelErrno | AppProblem, number> = {
  EBADFD: 400,
  EMSGSIZE: 400,
  EADDRINUSE: 409,
  EINVAL: 400,
  EOVERFLOW: 400,
  ERANGE: 400,
  E2BIG: 400,
  EFAULT: 400,
  EVALIDATION: 400,
  ENOTTY: 400,
  EAUTH: 401,
  EPERM: 403,
  EACCES: 403,
  EROFS: 403,
  EFORBIDDEN: 403,
  ENODEV: 404,
  ENOENT: 404,
  ENXIO: 404,
  ENOTFOUND: 404,
  ESRCH: 404,
  ENOTDIR: 404,
  ENODATA: 404,
  EEXIST: 409,
  EBUSY: 409,
  EAGAIN: 409,
  EISDIR: 409,
  ENOSPC: 507,
  ENOMEM: 507,
  ENFILE: 507,
  EMFILE: 507,
  EFBIG: 507,
  EMISDIRECTED: 421,
  ENOSYS: 501,
  EOPNOTSUPP: 501,
  ETIMEDOUT: 504,
  EINTR: 500,
  EIO: 500,
  EBADF: 500,
  ESPIPE: 500,
  EPIPE: 500,
  EINTERNAL: 500,
};

/** The HTTP status a problem code answers with. */
export function httpStatusFor(code: string): number {
  return (STATUS as Record<string, number>)[code] ?? 500;
}

export function isProblemCode(s: string): s is ProblemCode {
  return s in STATUS || /^ERRNO_[0-9]+$/.test(s);
}

/**
 * What the server knows about the way out of a refusal, as data the UI words
 * and acts on (the message says the same for API users).
 */
export const ProblemHint = Type.Union([
  /** EEXIST on a map: the lowest free range of the requested size at or after the requested IOVA */
  Type.Object({ kind: Type.Literal('free-iova'), iova: Type.String({ pattern: '^0x[0-9a-f]{1,16}$' }) }),
  /** ENOMEM on a map: RLIMIT_MEMLOCK, what is locked under it, and what the map needed */
  Type.Object({
    kind: Type.Literal('memlock'),
    limitBytes: Type.Union([Type.Number(), Type.Null()]),
    lockedBytes: Type.Number(),
    neededBytes: Type.Number(),
  }),
  /** EINVAL on an unmap: the mappings the range would split (type1 unmaps whole mappings only) */
  Type.Object({
    kind: Type.Literal('split'),
    mappings: Type.Array(
      Type.Object({ iova: Type.String({ pattern: '^0x[0-9a-f]{1,16}$' }), size: Type.String({ pattern: '^0x[0-9a-f]{1,16}$' }) }),
    ),
  }),
]);
export type ProblemHint = Static<typeof ProblemHint>;

export const Problem = Type.Object({
  errno: ProblemCode,
  message: Type.String(),
  /** the request field at fault, as a dotted path ("iova", "body.flags", "params.bdf") */
  field: Type.Optional(Type.String()),
  hint: Type.Optional(ProblemHint),
});
export type Problem = Static<typeof Problem>;

/** The body of every non-2xx REST answer. */
export const ErrorBody = Type.Object({ error: Problem });
export type ErrorBody = Static<typeof ErrorBody>;
