/**
 * Backing store for a device's register/memory space (BARs, VGA window):
 * pages allocated on first write so a 32 GiB GPU BAR costs nothing until
 * touched. Unwritten bytes read as zero.
 */
const PAGE = 4096;

export class SparseMemory {
  private readonly pages = new Map<number, Uint8Array>();
  constructor(readonly size: bigint) {}

  read(offset: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.forEachChunk(offset, length, (page, pageOff, at, n) => {
      const p = this.pages.get(page);
      if (p) out.set(p.subarray(pageOff, pageOff + n), at);
    });
    return out;
  }

  write(offset: bigint, data: Uint8Array): void {
    this.forEachChunk(offset, data.length, (page, pageOff, at, n) => {
      let p = this.pages.get(page);
      if (!p) {
        p = new Uint8Array(PAGE);
        this.pages.set(page, p);
      }
      p.set(data.subarray(at, at + n), pageOff);
    });
  }

  clear(): void {
    this.pages.clear();
  }

  private forEachChunk(offset: bigint, length: number, fn: (page: number, pageOff: number, at: number, n: number) => void): void {
    if (offset < 0n || offset + BigInt(length) > this.size) {
      throw new RangeError(`access 0x${offset.toString(16)}+${length} outside 0x${this.size.toString(16)} bytes`);
    }
    let at = 0;
    while (at < length) {
      const abs = offset + BigInt(at);
      const page = Number(abs / BigInt(PAGE));
      const pageOff = Number(abs % BigInt(PAGE));
      const n = Math.min(PAGE - pageOff, length - at);
      fn(page, pageOff, at, n);
      at += n;
    }
  }
}

/** Little-endian integer of 1, 2, 4 or 8 bytes from an access buffer. */
export function leValue(data: Uint8Array): bigint {
  return data.reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);
}

/** `size` little-endian bytes of v (truncated). */
export function leBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
