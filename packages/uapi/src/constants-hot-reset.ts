/**
 * linux/vfio.h's PCI hot reset names for a device opened through its cdev
 * (Linux 6.6+): VFIO_DEVICE_GET_PCI_HOT_RESET_INFO then reports each affected
 * function's iommufd devid instead of its group (FLAG_DEV_ID), 0 for a
 * function owned through its group's binding, -1 for one not owned; with
 * every function owned (FLAG_DEV_ID_OWNED) VFIO_DEVICE_PCI_HOT_RESET takes an
 * empty fd array, the iommufd being the proof of ownership.
 */
export const VFIO_PCI_HOT_RESET_FLAG_DEV_ID = 1 << 0;
export const VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED = 1 << 1;
/** vfio_pci_dependent_device.devid: owned, implicitly (its group has a device bound to the same iommufd) */
export const VFIO_PCI_DEVID_OWNED = 0;
/** vfio_pci_dependent_device.devid: not owned by the caller's iommufd (the u32 reads 0xffffffff) */
export const VFIO_PCI_DEVID_NOT_OWNED = -1;
