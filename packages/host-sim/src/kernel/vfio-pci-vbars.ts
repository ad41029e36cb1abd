/**
 * The BARs and ROM BAR as the user of a vfio-pci device sees them
 * (vfio_pci_config.c): all seven registers are virtual. vfio_config_init()
 * copies the physical values (the addresses the firmware assigned) when
 * the device is enabled; the user's writes land in that copy only, never on
 * the device; a read applies vfio_bar_fixup(): the address bits below the
 * BAR's size read as zero and the type flags are vfio-pci's own, so writing
 * all-ones sizes the BAR. A BAR the host left unassigned (address 0) reads
 * as 0, as does a ROM without an address.
 */
import {
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
} from '../devices/config-space/pci-regs.ts';
import type { DeviceModel } from '../devices/device-model.ts';
import type { PciConfig } from './pci-config.ts';

const FIRST = 0x10;
const ROM = 0x30;
const PCI_ROM_ADDRESS_ENABLE = 0x1;

/** the byte range [0x10, 0x28) ∪ [0x30, 0x34) */
export const isBarByte = (off: number): boolean => (off >= FIRST && off < FIRST + 24) || (off >= ROM && off < ROM + 4);

interface PhysBar {
  start: bigint;
  size: bigint;
  flags: number;
  is64: boolean;
}

export class VirtualBars {
  /** the seven registers as the user wrote them: 0x10..0x27 then 0x30..0x33 */
  private readonly bytes = new Uint8Array(28);
  private phys: PhysBar[] = [];

  constructor(
    private readonly cfg: PciConfig,
    private readonly model: DeviceModel,
  ) {}

  /** vfio_config_init(): copy the physical registers and note what the host assigned */
  capture(): void {
    const sizes = new Map(this.model.regions().map((r) => [r.index, r.size]));
    this.phys = [];
    for (let i = 0; i < 7; i++) {
      const reg = this.cfg.read(this.at(i), 4);
      this.setReg(i, reg);
      const io = i < 6 && (reg & PCI_BASE_ADDRESS_SPACE_IO) !== 0;
      const is64 = i < 6 && !io && (reg & 0x6) === PCI_BASE_ADDRESS_MEM_TYPE_64;
      let start = BigInt(reg >>> 0) & (io ? ~3n : i === 6 ? ~0x7ffn : ~0xfn);
      if (is64) start |= BigInt(this.cfg.read(this.at(i + 1), 4) >>> 0) << 32n;
      const flags = i === 6 ? 0 : io ? PCI_BASE_ADDRESS_SPACE_IO : reg & (PCI_BASE_ADDRESS_MEM_PREFETCH | 0x6);
      this.phys[i] = { start, size: sizes.get(i) ?? 0n, flags, is64 };
      if (is64 && i < 5) {
        this.setReg(i + 1, this.cfg.read(this.at(i + 1), 4));
        this.phys[i + 1] = { start: 0n, size: 0n, flags: 0, is64: false };
        i++;
      }
    }
  }

  /** the user's bytes at config offsets [off, off+n) that are BAR bytes, fixed up */
  overlay(off: number, out: Uint8Array): void {
    const fixed = this.fixedUp();
    for (let k = 0; k < out.length; k++) {
      const o = off + k;
      if (isBarByte(o)) out[k] = fixed[this.index(o)]!;
    }
  }

  /** the user's write of BAR bytes goes to the virtual copy */
  write(off: number, data: Uint8Array): void {
    for (let k = 0; k < data.length; k++) if (isBarByte(off + k)) this.bytes[this.index(off + k)] = data[k]!;
  }

  /** vfio_bar_fixup() */
  private fixedUp(): Uint8Array {
    const out = new Uint8Array(28);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 7; i++) {
      const p = this.phys[i];
      if (!p || p.start === 0n || p.size === 0n) continue;
      const mask = BigInt.asUintN(64, ~(p.size - 1n)) | (i === 6 ? BigInt(PCI_ROM_ADDRESS_ENABLE) : 0n);
      const v = this.reg(i);
      view.setUint32(i * 4, Number((BigInt(v) & mask & 0xffffffffn) | BigInt(p.flags)), true);
      if (p.is64 && i < 5) {
        view.setUint32((i + 1) * 4, Number(BigInt(this.reg(i + 1)) & (mask >> 32n) & 0xffffffffn), true);
        i++;
      }
    }
    return out;
  }

  private at(i: number): number {
    return i === 6 ? ROM : FIRST + 4 * i;
  }

  private index(off: number): number {
    return off >= ROM ? 24 + (off - ROM) : off - FIRST;
  }

  private reg(i: number): number {
    return new DataView(this.bytes.buffer).getUint32(i * 4, true);
  }

  private setReg(i: number, v: number): void {
    new DataView(this.bytes.buffer).setUint32(i * 4, v >>> 0, true);
  }
}
