/**
 * The generic Linux ioctl request encoding (include/uapi/asm-generic/ioctl.h,
 * used by x86_64 and arm64): a 32-bit number packing a direction, a type
 * byte, a command number and an argument size. The names are the kernel's.
 */

export const _IOC_NRBITS = 8;
export const _IOC_TYPEBITS = 8;
export const _IOC_SIZEBITS = 14;
export const _IOC_DIRBITS = 2;

export const _IOC_NRSHIFT = 0;
export const _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
export const _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
export const _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;

export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

const NR_MASK = (1 << _IOC_NRBITS) - 1;
const TYPE_MASK = (1 << _IOC_TYPEBITS) - 1;
const SIZE_MASK = (1 << _IOC_SIZEBITS) - 1;
const DIR_MASK = (1 << _IOC_DIRBITS) - 1;

/** How the kernel encodes the data direction in a request number (from userspace's point of view). */
export type IocDirection = 'none' | 'write' | 'read' | 'readwrite';

export interface IocFields {
  dir: IocDirection;
  /** the type byte, e.g. 0x3b (';') for VFIO */
  type: number;
  nr: number;
  /** argument size in bytes encoded in the number (0 for _IO) */
  size: number;
}

/** The number as an unsigned 32-bit value, whatever JS did to the sign bit. */
export function _IOC(dir: number, type: number, nr: number, size: number): number {
  if (size < 0 || size > SIZE_MASK) throw new RangeError(`ioctl size ${size} does not fit in ${_IOC_SIZEBITS} bits`);
  return (
    (((dir & DIR_MASK) << _IOC_DIRSHIFT) |
      ((type & TYPE_MASK) << _IOC_TYPESHIFT) |
      ((nr & NR_MASK) << _IOC_NRSHIFT) |
      ((size & SIZE_MASK) << _IOC_SIZESHIFT)) >>>
    0
  );
}

// Unlike the C macros, which take a type and apply sizeof, these take the size in bytes.
export function _IO(type: number, nr: number): number {
  return _IOC(_IOC_NONE, type, nr, 0);
}
export function _IOR(type: number, nr: number, size: number): number {
  return _IOC(_IOC_READ, type, nr, size);
}
export function _IOW(type: number, nr: number, size: number): number {
  return _IOC(_IOC_WRITE, type, nr, size);
}
export function _IOWR(type: number, nr: number, size: number): number {
  return _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
}

export function _IOC_DIR(n: number): number {
  return (n >>> _IOC_DIRSHIFT) & DIR_MASK;
}
export function _IOC_TYPE(n: number): number {
  return (n >>> _IOC_TYPESHIFT) & TYPE_MASK;
}
export function _IOC_NR(n: number): number {
  return (n >>> _IOC_NRSHIFT) & NR_MASK;
}
export function _IOC_SIZE(n: number): number {
  return (n >>> _IOC_SIZESHIFT) & SIZE_MASK;
}

const DIRECTION_NAMES: readonly IocDirection[] = ['none', 'write', 'read', 'readwrite'];

export function iocDirectionName(dir: number): IocDirection {
  return DIRECTION_NAMES[dir & DIR_MASK]!;
}

/** Split any 32-bit ioctl request number into its _IOC fields. */
export function iocDecode(n: number): IocFields {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a 32-bit ioctl number: ${n}`);
  return { dir: iocDirectionName(_IOC_DIR(n)), type: _IOC_TYPE(n), nr: _IOC_NR(n), size: _IOC_SIZE(n) };
}
