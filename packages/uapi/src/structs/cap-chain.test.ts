import { describe, expect, it } from 'vitest';
import { layoutCapChain, walkCapChain, writeCapHeader } from './cap-chain.ts';

/** A hand-built INFO buffer: fixed part of 24 bytes, caps at 24 (id 3) and 40 (id 1, v2). */
function handBuilt(): Uint8Array {
  const bytes = new Uint8Array(64);
  const v = new DataView(bytes.buffer);
  v.setUint16(24, 3, true);
  v.setUint16(26, 1, true);
  v.setUint32(28, 40, true);
  v.setUint16(40, 1, true);
  v.setUint16(42, 2, true);
  v.setUint32(44, 0, true);
  return bytes;
}

describe('walkCapChain', () => {
  it('follows next offsets from the first capability to 0', () => {
    expect(walkCapChain(handBuilt(), 24)).toEqual([
      { id: 3, version: 1, next: 40, offset: 24 },
      { id: 1, version: 2, next: 0, offset: 40 },
    ]);
  });

  it('finds nothing when the first offset is 0', () => {
    expect(walkCapChain(handBuilt(), 0)).toEqual([]);
  });

  it('works on a window of a larger buffer', () => {
    const outer = new Uint8Array(100);
    outer.set(handBuilt(), 10);
    expect(walkCapChain(outer.subarray(10, 74), 24).map((c) => c.id)).toEqual([3, 1]);
  });

  it('rejects a chain that loops', () => {
    const bytes = handBuilt();
    new DataView(bytes.buffer).setUint32(44, 24, true);
    expect(() => walkCapChain(bytes, 24)).toThrow(/loops back to offset 24/);
  });

  it('rejects a header past the end of the buffer', () => {
    const bytes = handBuilt();
    new DataView(bytes.buffer).setUint32(44, 60, true);
    expect(() => walkCapChain(bytes, 24)).toThrow(RangeError);
  });
});

describe('writeCapHeader and layoutCapChain', () => {
  it('pad each capability to 8 bytes after the fixed struct, like vfio_info_cap_add', () => {
    expect(layoutCapChain(20, [12, 16, 32])).toEqual({ offsets: [20, 36, 52], end: 84 });
  });

  it('write headers the walker reads back', () => {
    const { offsets, end } = layoutCapChain(32, [16, 12]);
    const bytes = new Uint8Array(end);
    writeCapHeader(bytes, offsets[0]!, { id: 2, version: 1, next: offsets[1]! });
    writeCapHeader(bytes, offsets[1]!, { id: 3, version: 1, next: 0 });
    expect(walkCapChain(bytes, 32)).toEqual([
      { id: 2, version: 1, next: 48, offset: 32 },
      { id: 3, version: 1, next: 0, offset: 48 },
    ]);
  });
});
