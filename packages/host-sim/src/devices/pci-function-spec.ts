/**
 * The hardware description of one simulated PCI function: identity, BARs and
 * the capabilities it implements. Per-kind descriptors (kinds/*.ts) produce
 * one of these from a ScenarioDevice; the config-space builder turns it into
 * bytes and masks; the generic model serves its BARs and interrupts.
 */
import type { PciePortType } from './config-space/pci-regs.ts';

export type BarKind = 'mem32' | 'mem64' | 'io';

export interface BarSpec {
  /** BAR slot 0..5; a 64-bit BAR also uses slot index+1 */
  index: number;
  kind: BarKind;
  /** bytes, a power of two (memory ≥ 16, I/O ≥ 4) */
  size: number;
  prefetchable?: boolean;
}

export interface MsiSpec {
  /** vectors requested in Multiple Message Capable: 1, 2, 4, 8, 16 or 32 */
  vectors: number;
  /** 64-bit message address (default true) */
  addr64?: boolean;
  /** per-vector masking (default false) */
  perVectorMask?: boolean;
}

export interface MsixSpec {
  /** table size, 1..2048 */
  vectors: number;
  tableBar: number;
  tableOffset: number;
  pbaBar: number;
  pbaOffset: number;
}

export interface PcieSpec {
  portType: PciePortType;
  /** Function Level Reset capable (DevCap bit 28) */
  flr?: boolean;
  /** link speed generation 1..5 and width (lanes) */
  linkSpeed?: number;
  linkWidth?: number;
}

export interface SriovSpec {
  totalVfs: number;
  /** VFs enabled at power-on (NumVFs); 0 by default, the scenario may have enabled some */
  numVfs?: number;
  vfDeviceId: number;
  firstVfOffset: number;
  vfStride: number;
  /** the VF BARs (sizes per VF) */
  vfBars: BarSpec[];
}

export interface BridgeSpec {
  primaryBus: number;
  secondaryBus: number;
  subordinateBus: number;
}

export interface PciFunctionSpec {
  vendorId: number;
  deviceId: number;
  subsystemVendorId: number;
  subsystemDeviceId: number;
  /** 24-bit class code: class << 16 | subclass << 8 | prog-if */
  classCode: number;
  revision: number;
  multifunction?: boolean;
  /** 0 = none, 1..4 = INTA..INTD */
  interruptPin: number;
  bars: BarSpec[];
  /** expansion ROM size in bytes, 0/absent = no ROM BAR */
  romSize?: number;
  /** PCI power management capability (noSoftReset: D3hot→D0 keeps state, so no PM reset) */
  pm?: { noSoftReset: boolean };
  /** absent or undefined = no MSI capability (what resolveMsi returns for 0 vectors) */
  msi?: MsiSpec | undefined;
  /** absent or undefined = no MSI-X capability */
  msix?: MsixSpec | undefined;
  /** present ⇒ PCI Express function with a 4 KiB config space; undefined = conventional PCI */
  pcie?: PcieSpec | undefined;
  aer?: boolean;
  acs?: boolean;
  sriov?: SriovSpec;
  /** present ⇒ header type 1 (PCI-to-PCI bridge) */
  bridge?: BridgeSpec;
}

/** The BAR slots a spec's BARs occupy (a 64-bit BAR takes two). */
export function occupiedBarSlots(bars: BarSpec[]): Set<number> {
  const used = new Set<number>();
  for (const b of bars) {
    used.add(b.index);
    if (b.kind === 'mem64') used.add(b.index + 1);
  }
  return used;
}
