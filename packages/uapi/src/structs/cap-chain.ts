/**
 * The INFO capability chain (struct vfio_info_cap_header): after the fixed
 * part of an INFO reply, capabilities linked PCI-style by `next`, an offset
 * from the start of the INFO buffer (0 ends the chain). Ids are per INFO
 * ioctl; version is per id.
 */
import { defineLayout, requireLength, setU32, u32, viewOf } from './layout.ts';

export const VFIO_INFO_CAP_HEADER_LAYOUT = defineLayout('vfio_info_cap_header', 8, { id: 0, version: 2, next: 4 });

export interface VfioInfoCapHeader {
  id: number;
  version: number;
  next: number;
}

/** A capability found on a chain, with where it starts in the INFO buffer. */
export interface VfioInfoCap extends VfioInfoCapHeader {
  offset: number;
}

/**
 * The capabilities an INFO reply actually delivered: the reply's flags carry
 * its CAPS bit, cap_offset is set, and the buffer was big enough. With too
 * small a buffer the kernel still sets the CAPS flag but leaves cap_offset 0
 * and raises argsz (the caller retries with that size).
 */
export function deliveredCaps(
  bytes: Uint8Array,
  reply: { flags: number; cap_offset: number; truncated: boolean },
  capsFlag: number,
): VfioInfoCap[] {
  const delivered = (reply.flags & capsFlag) !== 0 && reply.cap_offset !== 0 && !reply.truncated;
  return delivered ? walkCapChain(bytes, reply.cap_offset) : [];
}

/**
 * Every capability reachable from `firstOffset`. A header that runs past the
 * buffer, or a `next` that loops back, is a malformed reply: RangeError.
 */
export function walkCapChain(bytes: Uint8Array, firstOffset: number): VfioInfoCap[] {
  const v = viewOf(bytes);
  const caps: VfioInfoCap[] = [];
  const seen = new Set<number>();
  let offset = firstOffset;
  while (offset !== 0) {
    if (seen.has(offset)) throw new RangeError(`capability chain loops back to offset ${offset}`);
    seen.add(offset);
    requireLength(bytes, offset + VFIO_INFO_CAP_HEADER_LAYOUT.size, `capability at offset ${offset}`);
    const cap = {
      id: v.getUint16(offset, true),
      version: v.getUint16(offset + 2, true),
      next: u32(v, offset + 4),
      offset,
    };
    caps.push(cap);
    offset = cap.next;
  }
  return caps;
}

export function writeCapHeader(bytes: Uint8Array, offset: number, header: VfioInfoCapHeader): void {
  requireLength(bytes, offset + VFIO_INFO_CAP_HEADER_LAYOUT.size, `capability at offset ${offset}`);
  const v = viewOf(bytes);
  v.setUint16(offset, header.id, true);
  v.setUint16(offset + 2, header.version, true);
  setU32(v, offset + 4, header.next);
}

/**
 * Lay capabilities out one after another from `start` (the fixed struct's
 * size), each padded to a multiple of 8 bytes as the kernel's
 * vfio_info_cap_add does. Returns each offset and the total size the INFO
 * buffer must have (the argsz the kernel reports).
 */
export function layoutCapChain(start: number, capSizes: readonly number[]): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = start;
  for (const size of capSizes) {
    offsets.push(at);
    at += align8(size);
  }
  return { offsets, end: at };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
