/**
 * A PCI function's configuration space as the hardware implements it: the
 * bytes, which bits software may write (wmask), which bits are
 * write-one-to-clear (w1cmask), and the standard / extended capability lists.
 * 256 bytes for conventional PCI, 4 KiB for PCI Express (the extended space
 * from 0x100 holds the extended capabilities).
 *
 * Like real hardware (and QEMU's pci.c), BAR sizing needs no special case: the
 * address bits below the BAR's size are read-only zero, so writing all-ones
 * and reading back yields the size mask.
 */
import { PCI_CAPABILITY_LIST, PCI_CFG_SPACE_SIZE, PCI_STATUS, PCI_STATUS_CAP_LIST } from './pci-regs.ts';

/** Called after a write landed, with the written range, so a device can react (FLR, bus reset…). */
export type ConfigWriteHook = (offset: number, size: number) => void;

export class ConfigSpace {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly wmask: Uint8Array;
  readonly w1cmask: Uint8Array;
  private readonly hooks: ConfigWriteHook[] = [];
  private powerOn: { bytes: Uint8Array; wmask: Uint8Array; w1cmask: Uint8Array } | null = null;
  /** offset of the last standard capability, 0 while the list is empty */
  private lastCap = 0;
  /** next free offset for a standard capability (they live in 0x40..0xff) */
  private nextCapOffset = 0x40;
  private lastExtCap = 0;
  private nextExtCapOffset = PCI_CFG_SPACE_SIZE;

  constructor(size: number) {
    if (size !== 256 && size !== 4096) throw new RangeError(`config space size must be 256 or 4096, got ${size}`);
    this.size = size;
    this.bytes = new Uint8Array(size);
    this.wmask = new Uint8Array(size);
    this.w1cmask = new Uint8Array(size);
  }

  // --- raw little-endian accessors (no masks; used to build and by the device itself) ---
  get8(off: number): number {
    const b = this.bytes[off];
    if (b === undefined) throw new RangeError(`config offset 0x${off.toString(16)} outside ${this.size} bytes`);
    return b;
  }
  get16(off: number): number {
    return this.get8(off) | (this.get8(off + 1) << 8);
  }
  get32(off: number): number {
    return (this.get16(off) | (this.get16(off + 2) << 16)) >>> 0;
  }
  set8(off: number, v: number): void {
    this.bytes[off] = v & 0xff;
  }
  set16(off: number, v: number): void {
    this.set8(off, v);
    this.set8(off + 1, v >>> 8);
  }
  set32(off: number, v: number): void {
    this.set16(off, v & 0xffff);
    this.set16(off + 2, v >>> 16);
  }

  setWmask8(off: number, m: number): void {
    this.wmask[off] = m & 0xff;
  }
  setWmask16(off: number, m: number): void {
    this.setWmask8(off, m);
    this.setWmask8(off + 1, m >>> 8);
  }
  setWmask32(off: number, m: number): void {
    this.setWmask16(off, m & 0xffff);
    this.setWmask16(off + 2, m >>> 16);
  }
  setW1c16(off: number, m: number): void {
    this.w1cmask[off] = m & 0xff;
    this.w1cmask[off + 1] = (m >>> 8) & 0xff;
  }
  setW1c32(off: number, m: number): void {
    this.setW1c16(off, m & 0xffff);
    this.setW1c16(off + 2, m >>> 16);
  }

  /** set or clear bits without going through the write masks (device-driven status bits) */
  update16(off: number, bits: number, on: boolean): void {
    const v = this.get16(off);
    this.set16(off, on ? v | bits : v & ~bits);
  }

  // --- software access, as a config cycle from the host ---
  read(offset: number, size: number): Uint8Array {
    this.checkRange(offset, size);
    return this.bytes.slice(offset, offset + size);
  }

  write(offset: number, data: Uint8Array): void {
    this.checkRange(offset, data.length);
    for (const [i, val] of data.entries()) {
      const off = offset + i;
      // checkRange above: off is inside bytes, wmask and w1cmask (all this.size long)
      const wm = this.wmask[off]!;
      const w1c = this.w1cmask[off]!;
      let b = (this.bytes[off]! & ~wm) | (val & wm);
      b &= ~(val & w1c);
      this.bytes[off] = b & 0xff;
    }
    for (const hook of this.hooks) hook(offset, data.length);
  }

  onWrite(hook: ConfigWriteHook): void {
    this.hooks.push(hook);
  }

  // --- capability lists ---
  /**
   * Append a standard capability of `length` bytes and return its offset.
   * Sets the Capabilities List status bit and links the list.
   */
  addCapability(id: number, length: number): number {
    const off = this.nextCapOffset;
    if (off + length > PCI_CFG_SPACE_SIZE) throw new RangeError(`no room for capability 0x${id.toString(16)}`);
    this.set8(off, id);
    this.set8(off + 1, 0);
    if (this.lastCap === 0) this.set8(PCI_CAPABILITY_LIST, off);
    else this.set8(this.lastCap + 1, off);
    this.lastCap = off;
    // capabilities start dword aligned
    this.nextCapOffset = (off + length + 3) & ~3;
    this.update16(PCI_STATUS, PCI_STATUS_CAP_LIST, true);
    return off;
  }

  /** Append an extended capability (PCIe only) of `length` bytes; returns its offset. */
  addExtCapability(id: number, version: number, length: number): number {
    if (this.size < 4096) throw new RangeError('extended capabilities need a 4 KiB (PCI Express) config space');
    const off = this.nextExtCapOffset;
    if (off + length > this.size) throw new RangeError(`no room for extended capability 0x${id.toString(16)}`);
    this.set32(off, (id & 0xffff) | ((version & 0xf) << 16));
    if (this.lastExtCap !== 0) {
      const prev = this.get32(this.lastExtCap);
      this.set32(this.lastExtCap, (prev & 0x000fffff) | (off << 20));
    }
    this.lastExtCap = off;
    this.nextExtCapOffset = (off + length + 3) & ~3;
    return off;
  }

  /** Remember the current contents as the power-on state that reset() restores. */
  sealPowerOnState(): void {
    this.powerOn = { bytes: this.bytes.slice(), wmask: this.wmask.slice(), w1cmask: this.w1cmask.slice() };
  }

  /** Back to the power-on state (what a function-level or conventional reset does to config space). */
  reset(): void {
    if (!this.powerOn) throw new Error('config space has no sealed power-on state');
    this.bytes.set(this.powerOn.bytes);
  }

  private checkRange(offset: number, size: number): void {
    if (!Number.isInteger(offset) || offset < 0 || size <= 0 || offset + size > this.size) {
      throw new RangeError(`config access 0x${offset.toString(16)}+${size} outside ${this.size} bytes`);
    }
  }
}
