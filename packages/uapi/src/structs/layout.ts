/**
 * Struct layouts as data (C struct name, sizeof, offsetof of each field) and
 * the little-endian byte access the codecs share. Every VFIO argument struct
 * begins with `__u32 argsz`: the caller says how big its buffer is, and INFO
 * ioctls answer with the size they needed, which may be larger when a
 * capability chain did not fit. Every iommufd argument struct begins with
 * `__u32 size` instead, the sizeof the caller was built against: the kernel
 * refuses less than it needs (EINVAL) and bytes it does not know unless they
 * are zero (E2BIG); argszBuffer builds both.
 */

export interface StructLayout<F extends string = string> {
  /** the C struct name, without `struct` */
  readonly name: string;
  /** sizeof(struct name) on x86_64 */
  readonly size: number;
  /** offsetof(struct name, field) for each field, in the kernel's spelling */
  readonly fields: Readonly<Record<F, number>>;
}

export function defineLayout<F extends string>(name: string, size: number, fields: Record<F, number>): StructLayout<F> {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

/** A DataView over exactly the bytes of `bytes` (which may be a window of a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function requireLength(bytes: Uint8Array, need: number, what: string): void {
  if (bytes.byteLength < need) {
    throw new RangeError(`${what}: buffer of ${bytes.byteLength} bytes is shorter than ${need}`);
  }
}

export function u16(v: DataView, at: number): number {
  return v.getUint16(at, true);
}
export function u32(v: DataView, at: number): number {
  return v.getUint32(at, true);
}
export function u64(v: DataView, at: number): bigint {
  return v.getBigUint64(at, true);
}
export function setU16(v: DataView, at: number, value: number): void {
  v.setUint16(at, value & 0xffff, true);
}
export function setU32(v: DataView, at: number, value: number): void {
  v.setUint32(at, value >>> 0, true);
}
export function setU64(v: DataView, at: number, value: bigint): void {
  v.setBigUint64(at, BigInt.asUintN(64, value), true);
}

/**
 * What an argsz-framed reply says about its own size. When `needed` is larger
 * than the buffer the caller passed, the fixed part is valid but the
 * capability chain was not delivered: retry with a buffer of `needed` bytes.
 */
export interface ArgszFrame {
  /** the argsz the kernel wrote back */
  argsz: number;
  /** true when argsz exceeds the buffer that was decoded */
  truncated: boolean;
}

export function argszFrame(bytes: Uint8Array): ArgszFrame {
  requireLength(bytes, 4, 'argsz');
  const argsz = u32(viewOf(bytes), 0);
  return { argsz, truncated: argsz > bytes.byteLength };
}

/** A zeroed buffer of at least `layout.size` bytes with argsz set to its length. */
export function argszBuffer(layout: StructLayout, argsz = layout.size): Uint8Array {
  if (!Number.isInteger(argsz) || argsz < layout.size) {
    throw new RangeError(`${layout.name}: argsz ${argsz} is smaller than sizeof ${layout.size}`);
  }
  const bytes = new Uint8Array(argsz);
  setU32(viewOf(bytes), 0, argsz);
  return bytes;
}
