/**
 * Builds a function's whole configuration space from its PciFunctionSpec:
 * header (type 0, or type 1 for bridges), then the capability list in the
 * order real devices usually place it (PM, MSI, PCI Express, MSI-X), then
 * the extended capabilities (AER, ACS, SR-IOV). The result is sealed as the
 * power-on state that reset() returns to.
 */
import type { PciFunctionSpec } from '../pci-function-spec.ts';
import { ConfigSpace } from './config-space.ts';
import {
  addAcsCapability,
  addAerCapability,
  addMsiCapability,
  addMsixCapability,
  addPcieCapability,
  addPmCapability,
  addSriovCapability,
} from './capabilities.ts';
import { writeType0Header, writeType1Header } from './header.ts';
import { PCI_CFG_SPACE_EXP_SIZE, PCI_CFG_SPACE_SIZE } from './pci-regs.ts';

/** Where each capability landed (null = absent), so the device can find its own registers. */
export interface CapabilityOffsets {
  pm: number | null;
  msi: number | null;
  pcie: number | null;
  msix: number | null;
  aer: number | null;
  acs: number | null;
  sriov: number | null;
}

export interface BuiltConfigSpace {
  config: ConfigSpace;
  caps: CapabilityOffsets;
}

export function buildConfigSpace(spec: PciFunctionSpec): BuiltConfigSpace {
  const config = new ConfigSpace(spec.pcie ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE);
  if (spec.bridge) writeType1Header(config, spec, spec.bridge);
  else writeType0Header(config, spec);

  const caps: CapabilityOffsets = { pm: null, msi: null, pcie: null, msix: null, aer: null, acs: null, sriov: null };
  if (spec.pm) caps.pm = addPmCapability(config, spec.pm.noSoftReset);
  if (spec.msi) caps.msi = addMsiCapability(config, spec.msi);
  if (spec.pcie) caps.pcie = addPcieCapability(config, spec.pcie);
  if (spec.msix) caps.msix = addMsixCapability(config, spec.msix);
  if (spec.pcie) {
    if (spec.aer) caps.aer = addAerCapability(config, spec.pcie.portType === 'root-port');
    if (spec.acs) caps.acs = addAcsCapability(config);
    if (spec.sriov) caps.sriov = addSriovCapability(config, spec.sriov);
  } else if (spec.aer || spec.acs || spec.sriov) {
    throw new RangeError('AER, ACS and SR-IOV are PCI Express extended capabilities; the spec has no pcie');
  }
  config.sealPowerOnState();
  return { config, caps };
}
