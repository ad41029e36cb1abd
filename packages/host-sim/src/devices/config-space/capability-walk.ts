/**
 * Reading a config space the way the kernel's pci_find_capability() and
 * pci_find_ext_capability() do: follow the next pointers, with a bound on the
 * number of hops so a corrupt list cannot loop.
 */
import { PCI_CAPABILITY_LIST, PCI_CFG_SPACE_SIZE, PCI_STATUS, PCI_STATUS_CAP_LIST } from './pci-regs.ts';

/** What a config space reader needs; ConfigSpace satisfies it, so does a raw byte view. */
export interface ConfigReader {
  readonly size: number;
  get8(off: number): number;
  get16(off: number): number;
  get32(off: number): number;
}

export interface FoundCapability {
  id: number;
  offset: number;
}

export interface FoundExtCapability extends FoundCapability {
  version: number;
}

export function listCapabilities(cs: ConfigReader): FoundCapability[] {
  const out: FoundCapability[] = [];
  if (!(cs.get16(PCI_STATUS) & PCI_STATUS_CAP_LIST)) return out;
  let off = cs.get8(PCI_CAPABILITY_LIST) & ~3;
  // 48 = the kernel's PCI_FIND_CAP_TTL
  for (let ttl = 48; off >= 0x40 && ttl > 0; ttl--) {
    out.push({ id: cs.get8(off), offset: off });
    off = cs.get8(off + 1) & ~3;
  }
  return out;
}

export function listExtCapabilities(cs: ConfigReader): FoundExtCapability[] {
  const out: FoundExtCapability[] = [];
  if (cs.size <= PCI_CFG_SPACE_SIZE) return out;
  let off = PCI_CFG_SPACE_SIZE;
  // (4096 - 256) / 8 hops at most, like the kernel's bound
  for (let ttl = (4096 - 256) / 8; ttl > 0; ttl--) {
    const header = cs.get32(off);
    if (header === 0) break;
    out.push({ id: header & 0xffff, version: (header >>> 16) & 0xf, offset: off });
    off = header >>> 20;
    if (off < PCI_CFG_SPACE_SIZE) break;
  }
  return out;
}

export function findCapability(cs: ConfigReader, id: number): number | null {
  return listCapabilities(cs).find((c) => c.id === id)?.offset ?? null;
}

export function findExtCapability(cs: ConfigReader, id: number): number | null {
  return listExtCapabilities(cs).find((c) => c.id === id)?.offset ?? null;
}

/** A read-only ConfigReader over raw little-endian bytes, e.g. what a VFIO CONFIG region read returned. */
export function configReaderOf(bytes: Uint8Array): ConfigReader {
  const get8 = (o: number) => bytes[o] ?? 0;
  const get16 = (o: number) => get8(o) | (get8(o + 1) << 8);
  return { size: bytes.length, get8, get16, get32: (o) => (get16(o) | (get16(o + 2) << 16)) >>> 0 };
}
