/**
 * Group viability as the kernel decides it. Since Linux 5.19 a group is
 * viable when no device in it has a driver that claims DMA ownership of the
 * group (iommu_group_dma_owner_claimed): every driver does, except those
 * marked driver_managed_dma — vfio-pci and its variant drivers, pci-stub and
 * pcieport. A device without a driver never blocks. (Before 5.19 the same
 * list was vfio's own allow-list, so the answer does not depend on version.)
 */
import type { IommuGroupInfo, PciDevice, ViabilityBlocker } from '@vfioscope/host';

const DMA_SAFE_DRIVERS = new Set(['vfio-pci', 'pci-stub', 'pcieport']);

/** vfio-pci variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci, …) all manage DMA through VFIO */
export function isDmaSafeDriver(driver: string): boolean {
  return DMA_SAFE_DRIVERS.has(driver) || /vfio/.test(driver);
}

export function groupViability(members: readonly PciDevice[]): Pick<IommuGroupInfo, 'viable' | 'blockers'> {
  const blockers: ViabilityBlocker[] = members
    .filter((d) => d.driver !== null && !isDmaSafeDriver(d.driver))
    .map((d) => ({ bdf: d.bdf, driver: d.driver! }));
  return { viable: blockers.length === 0, blockers };
}
