/**
 * The capabilities a simulated function implements, laid out and masked the
 * way the PCI / PCI Express specs define them: PM, MSI, MSI-X and the PCI
 * Express capability in the standard list; AER, ACS and SR-IOV in the
 * extended list.
 */
import type { MsiSpec, MsixSpec, PcieSpec, SriovSpec } from '../pci-function-spec.ts';
import { encodeBar } from './header.ts';
import type { ConfigSpace } from './config-space.ts';
import {
  PCI_ACS_CAP,
  PCI_ACS_CAP_STANDARD,
  PCI_ACS_CTRL,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_ERR_CAP,
  PCI_ERR_CAP_SIZEOF,
  PCI_ERR_COR_MASK,
  PCI_ERR_COR_STATUS,
  PCI_ERR_ROOT_COMMAND,
  PCI_ERR_ROOT_STATUS,
  PCI_ERR_UNCOR_MASK,
  PCI_ERR_UNCOR_SEVER,
  PCI_ERR_UNCOR_STATUS,
  PCI_EXP_CAP_SIZEOF,
  PCI_EXP_DEVCAP,
  PCI_EXP_DEVCAP2,
  PCI_EXP_DEVCAP_FLR,
  PCI_EXP_DEVCTL,
  PCI_EXP_DEVCTL2,
  PCI_EXP_DEVSTA,
  PCI_EXP_FLAGS,
  PCI_EXP_LNKCAP,
  PCI_EXP_LNKCAP2,
  PCI_EXP_LNKCTL,
  PCI_EXP_LNKCTL2,
  PCI_EXP_LNKSTA,
  PCI_EXP_RTCTL,
  PCI_EXP_SLTCAP,
  PCI_EXP_SLTCTL,
  PCI_EXP_SLTSTA,
  PCI_EXP_TYPE,
  PCI_EXT_CAP_ID_ACS,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_SRIOV,
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_64BIT,
  PCI_MSI_FLAGS_ENABLE,
  PCI_MSI_FLAGS_MASKBIT,
  PCI_MSI_FLAGS_QSIZE,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_ENABLE,
  PCI_MSIX_FLAGS_MASKALL,
  PCI_MSIX_PBA,
  PCI_MSIX_TABLE,
  PCI_PM_CTRL,
  PCI_PM_CTRL_NO_SOFT_RESET,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_CTRL_STATE_MASK,
  PCI_SRIOV_BAR,
  PCI_SRIOV_CAP_SIZEOF,
  PCI_SRIOV_CTRL,
  PCI_SRIOV_INITIAL_VF,
  PCI_SRIOV_NUM_VF,
  PCI_SRIOV_SUP_PGSIZE,
  PCI_SRIOV_SYS_PGSIZE,
  PCI_SRIOV_TOTAL_VF,
  PCI_SRIOV_VF_DID,
  PCI_SRIOV_VF_OFFSET,
  PCI_SRIOV_VF_STRIDE,
} from './pci-regs.ts';

/** PM capability, version 3 (PCI PM 1.2), D0/D3hot, PME from D3hot. */
export function addPmCapability(cs: ConfigSpace, noSoftReset: boolean): number {
  const off = cs.addCapability(PCI_CAP_ID_PM, 8);
  cs.set16(off + 2, 0x0003 | (1 << 14) | (1 << 11)); // version 3, PME from D3hot and D0
  cs.set16(off + PCI_PM_CTRL, noSoftReset ? PCI_PM_CTRL_NO_SOFT_RESET : 0);
  cs.setWmask16(off + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_ENABLE);
  cs.setW1c16(off + PCI_PM_CTRL, PCI_PM_CTRL_PME_STATUS);
  return off;
}

/**
 * MSI capability. Multiple Message Capable holds log2(vectors); software
 * writes Enable and Multiple Message Enable, the address and the data.
 */
export function addMsiCapability(cs: ConfigSpace, msi: MsiSpec): number {
  const log2 = Math.log2(msi.vectors);
  if (!Number.isInteger(log2) || log2 < 0 || log2 > 5) throw new RangeError(`MSI vectors ${msi.vectors} not 1..32 power of two`);
  const addr64 = msi.addr64 ?? true;
  const pvm = msi.perVectorMask ?? false;
  const length = (addr64 ? 14 : 10) + (pvm ? 10 : 0);
  const off = cs.addCapability(PCI_CAP_ID_MSI, length);
  cs.set16(off + PCI_MSI_FLAGS, (log2 << 1) | (addr64 ? PCI_MSI_FLAGS_64BIT : 0) | (pvm ? PCI_MSI_FLAGS_MASKBIT : 0));
  cs.setWmask16(off + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
  cs.setWmask32(off + 4, 0xfffffffc); // message address, dword aligned
  const dataOff = addr64 ? 12 : 8;
  if (addr64) cs.setWmask32(off + 8, 0xffffffff);
  cs.setWmask16(off + dataOff, 0xffff);
  if (pvm) cs.setWmask32(off + dataOff + 4, msi.vectors === 32 ? 0xffffffff : (1 << msi.vectors) - 1);
  return off;
}

/** MSI-X capability: table size N-1, table and PBA as BIR + offset; software writes Enable and Function Mask. */
export function addMsixCapability(cs: ConfigSpace, msix: MsixSpec): number {
  if (msix.vectors < 1 || msix.vectors > 2048) throw new RangeError(`MSI-X vectors ${msix.vectors} outside 1..2048`);
  if (msix.tableOffset % 8 || msix.pbaOffset % 8) throw new RangeError('MSI-X table and PBA offsets must be 8-byte aligned');
  const off = cs.addCapability(PCI_CAP_ID_MSIX, 12);
  cs.set16(off + PCI_MSIX_FLAGS, msix.vectors - 1);
  cs.setWmask16(off + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
  cs.set32(off + PCI_MSIX_TABLE, (msix.tableOffset | msix.tableBar) >>> 0);
  cs.set32(off + PCI_MSIX_PBA, (msix.pbaOffset | msix.pbaBar) >>> 0);
  return off;
}

/** Link speed vector bits for LnkCap2: speeds 1..n supported. */
function supportedSpeeds(gen: number): number {
  return ((1 << gen) - 1) << 1;
}

/** PCI Express capability, version 2. */
export function addPcieCapability(cs: ConfigSpace, pcie: PcieSpec): number {
  const off = cs.addCapability(PCI_CAP_ID_EXP, PCI_EXP_CAP_SIZEOF);
  const type = PCI_EXP_TYPE[pcie.portType];
  const isPort = pcie.portType === 'root-port' || pcie.portType === 'downstream';
  cs.set16(off + PCI_EXP_FLAGS, 0x2 | (type << 4) | (isPort ? 0x100 : 0));
  // MPS 512 supported, extended tag, role-based error reporting, FLR when offered
  cs.set32(off + PCI_EXP_DEVCAP, 0x2 | (1 << 5) | (1 << 15) | (pcie.flr ? PCI_EXP_DEVCAP_FLR : 0));
  // DevCtl: error reporting enables, relaxed ordering, MPS, extended tag, no-snoop, MRRS; bit 15 is FLR initiate
  cs.set16(off + PCI_EXP_DEVCTL, 0x2810); // RO enabled, no-snoop enabled, MRRS 512
  cs.setWmask16(off + PCI_EXP_DEVCTL, 0x7fff | (pcie.flr ? 0x8000 : 0));
  cs.setW1c16(off + PCI_EXP_DEVSTA, 0x000f);
  const speed = pcie.linkSpeed ?? 3;
  const width = pcie.linkWidth ?? 16;
  cs.set32(off + PCI_EXP_LNKCAP, speed | (width << 4) | (0x3 << 10));
  cs.setWmask16(off + PCI_EXP_LNKCTL, 0x0fc3);
  cs.set16(off + PCI_EXP_LNKSTA, speed | (width << 4) | (1 << 12));
  if (isPort) {
    cs.set32(off + PCI_EXP_SLTCAP, 0x00000060); // hot-plug surprise/capable off, slot power limit, physical slot 0
    cs.setWmask16(off + PCI_EXP_SLTCTL, 0x1fff);
    cs.setW1c16(off + PCI_EXP_SLTSTA, 0x011f);
  }
  if (pcie.portType === 'root-port') cs.setWmask16(off + PCI_EXP_RTCTL, 0x001f);
  cs.set32(off + PCI_EXP_DEVCAP2, 0x0000001f); // completion timeout ranges A-D, disable supported
  cs.setWmask16(off + PCI_EXP_DEVCTL2, 0x071f);
  cs.set32(off + PCI_EXP_LNKCAP2, supportedSpeeds(speed));
  cs.set16(off + PCI_EXP_LNKCTL2, speed);
  cs.setWmask16(off + PCI_EXP_LNKCTL2, 0x1fff);
  return off;
}

/** Advanced Error Reporting, version 2; root ports also get the root error registers. */
export function addAerCapability(cs: ConfigSpace, rootPort: boolean): number {
  const off = cs.addExtCapability(PCI_EXT_CAP_ID_ERR, 2, PCI_ERR_CAP_SIZEOF);
  cs.setW1c32(off + PCI_ERR_UNCOR_STATUS, 0x03fff030);
  cs.setWmask32(off + PCI_ERR_UNCOR_MASK, 0x03fff030);
  cs.set32(off + PCI_ERR_UNCOR_SEVER, 0x00462030); // the spec's default severities
  cs.setWmask32(off + PCI_ERR_UNCOR_SEVER, 0x03fff030);
  cs.setW1c32(off + PCI_ERR_COR_STATUS, 0x0000f1c1);
  cs.set32(off + PCI_ERR_COR_MASK, 0x00002000); // advisory non-fatal masked
  cs.setWmask32(off + PCI_ERR_COR_MASK, 0x0000f1c1);
  cs.set32(off + PCI_ERR_CAP, 0x000000a0); // ECRC generation/check capable
  cs.setWmask32(off + PCI_ERR_CAP, 0x00000140);
  if (rootPort) {
    cs.setWmask32(off + PCI_ERR_ROOT_COMMAND, 0x7);
    cs.setW1c32(off + PCI_ERR_ROOT_STATUS, 0x7f);
  }
  return off;
}

/** Access Control Services with the isolation bits the kernel's pci_acs_enabled() looks for. */
export function addAcsCapability(cs: ConfigSpace): number {
  const off = cs.addExtCapability(PCI_EXT_CAP_ID_ACS, 1, 8);
  cs.set16(off + PCI_ACS_CAP, PCI_ACS_CAP_STANDARD);
  // enabled at power-on by firmware in this model, software may change them
  cs.set16(off + PCI_ACS_CTRL, PCI_ACS_CAP_STANDARD);
  cs.setWmask16(off + PCI_ACS_CTRL, 0x007f);
  return off;
}

/** SR-IOV capability of a physical function: VF counts, routing, VF device id and the VF BARs. */
export function addSriovCapability(cs: ConfigSpace, sriov: SriovSpec): number {
  const off = cs.addExtCapability(PCI_EXT_CAP_ID_SRIOV, 1, PCI_SRIOV_CAP_SIZEOF);
  cs.setWmask16(off + PCI_SRIOV_CTRL, 0x001f);
  cs.set16(off + PCI_SRIOV_INITIAL_VF, sriov.totalVfs);
  cs.set16(off + PCI_SRIOV_TOTAL_VF, sriov.totalVfs);
  cs.set16(off + PCI_SRIOV_NUM_VF, sriov.numVfs ?? 0);
  cs.setWmask16(off + PCI_SRIOV_NUM_VF, 0xffff);
  cs.set16(off + PCI_SRIOV_VF_OFFSET, sriov.firstVfOffset);
  cs.set16(off + PCI_SRIOV_VF_STRIDE, sriov.vfStride);
  cs.set16(off + PCI_SRIOV_VF_DID, sriov.vfDeviceId);
  cs.set32(off + PCI_SRIOV_SUP_PGSIZE, 0x00000553); // 4K, 8K, 64K, 256K, 1M, 4M
  cs.set32(off + PCI_SRIOV_SYS_PGSIZE, 0x00000001);
  cs.setWmask32(off + PCI_SRIOV_SYS_PGSIZE, 0x00000553);
  for (const bar of sriov.vfBars) encodeBar(cs, bar, off + PCI_SRIOV_BAR);
  return off;
}

/** True when the function's MSI capability has Enable set. */
export function msiEnabled(cs: ConfigSpace, msiOffset: number | null): boolean {
  return msiOffset !== null && (cs.get16(msiOffset + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE) !== 0;
}

/** True when MSI-X Enable is set (the function mask is separate, see msixFunctionMasked). */
export function msixEnabled(cs: ConfigSpace, msixOffset: number | null): boolean {
  return msixOffset !== null && (cs.get16(msixOffset + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE) !== 0;
}
