/**
 * The PCI core's view of a function's config space, read and written
 * through the device model the way the kernel reaches real hardware: the
 * capability positions found at enumeration (pdev->msi_cap, msix_cap,
 * pci_is_pcie), the interrupt pin, the MSI / MSI-X vector counts vfio-pci
 * derives from them, and the bits the kernel itself flips (MSI/MSI-X
 * enable, INTx disable for masking, bus master, memory decode).
 */
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import type { DeviceModel } from '../devices/device-model.ts';

export const PCI_COMMAND = 0x04;
export const PCI_COMMAND_MEMORY = 0x2;
export const PCI_COMMAND_MASTER = 0x4;
export const PCI_COMMAND_INTX_DISABLE = 0x400;
export const PCI_STATUS = 0x06;
export const PCI_STATUS_INTERRUPT = 0x8;
const PCI_STATUS_CAP_LIST = 0x10;
const PCI_CAPABILITY_LIST = 0x34;
const PCI_INTERRUPT_PIN = 0x3d;
const PCI_CAP_ID_MSI = 0x05;
const PCI_CAP_ID_EXP = 0x10;
const PCI_CAP_ID_MSIX = 0x11;
const PCI_MSI_FLAGS_ENABLE = 0x1;
const PCI_MSI_FLAGS_QMASK = 0x0e;
const PCI_MSIX_FLAGS_QSIZE = 0x7ff;
const PCI_MSIX_FLAGS_ENABLE = 0x8000;

export interface MsixTable {
  vectors: number;
  bar: number;
  offset: bigint;
  /** bytes of the vector table (16 per entry) */
  size: bigint;
}

export class PciConfig {
  private caps: Map<number, number> | null = null;

  constructor(private readonly model: DeviceModel) {}

  get size(): number {
    return Number(this.model.regions().find((r) => r.index === VFIO_PCI_CONFIG_REGION_INDEX)?.size ?? 256n);
  }

  read(off: number, width: 1 | 2 | 4): number {
    const b = this.model.read(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(off), width);
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
    return v;
  }

  write(off: number, width: 1 | 2 | 4, value: number): void {
    const b = new Uint8Array(width);
    for (let i = 0; i < width; i++) b[i] = (value >>> (8 * i)) & 0xff;
    this.model.write(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(off), b);
  }

  /** read-modify-write of a 16-bit register */
  update16(off: number, set: number, clear: number): void {
    this.write(off, 2, (this.read(off, 2) & ~clear) | set);
  }

  /** pci_find_capability(), cached like pdev->msi_cap etc. */
  findCap(id: number): number | null {
    if (!this.caps) {
      this.caps = new Map();
      if (this.read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST) {
        let off = this.read(PCI_CAPABILITY_LIST, 1) & ~3;
        for (let ttl = 48; off >= 0x40 && ttl > 0; ttl--) {
          const capId = this.read(off, 1);
          if (!this.caps.has(capId)) this.caps.set(capId, off);
          off = this.read(off + 1, 1) & ~3;
        }
      }
    }
    return this.caps.get(id) ?? null;
  }

  isPcie(): boolean {
    return this.findCap(PCI_CAP_ID_EXP) !== null;
  }

  interruptPin(): number {
    return this.read(PCI_INTERRUPT_PIN, 1);
  }

  /** vfio_pci_get_irq_count(MSI): 1 << Multiple Message Capable */
  msiVectors(): number {
    const pos = this.findCap(PCI_CAP_ID_MSI);
    return pos === null ? 0 : 1 << ((this.read(pos + 2, 2) & PCI_MSI_FLAGS_QMASK) >> 1);
  }

  msixTable(): MsixTable | null {
    const pos = this.findCap(PCI_CAP_ID_MSIX);
    if (pos === null) return null;
    const vectors = (this.read(pos + 2, 2) & PCI_MSIX_FLAGS_QSIZE) + 1;
    const table = this.read(pos + 4, 4);
    return { vectors, bar: table & 7, offset: BigInt((table & ~7) >>> 0), size: BigInt(vectors * 16) };
  }

  setMsiEnable(on: boolean): void {
    const pos = this.findCap(PCI_CAP_ID_MSI);
    if (pos !== null) this.update16(pos + 2, on ? PCI_MSI_FLAGS_ENABLE : 0, on ? 0 : PCI_MSI_FLAGS_ENABLE);
  }

  setMsixEnable(on: boolean): void {
    const pos = this.findCap(PCI_CAP_ID_MSIX);
    if (pos !== null) this.update16(pos + 2, on ? PCI_MSIX_FLAGS_ENABLE : 0, on ? 0 : PCI_MSIX_FLAGS_ENABLE);
  }

  /** pci_intx(): INTx masking at the device (PCI 2.3 Interrupt Disable) */
  setIntxDisabled(disabled: boolean): void {
    this.update16(PCI_COMMAND, disabled ? PCI_COMMAND_INTX_DISABLE : 0, disabled ? 0 : PCI_COMMAND_INTX_DISABLE);
  }

  /** PCI_STATUS Interrupt Status: the function is asserting INTx */
  intxAsserted(): boolean {
    return (this.read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT) !== 0;
  }

  command(): number {
    return this.read(PCI_COMMAND, 2);
  }
}
