/**
 * What each of the PCI core's reset methods is (sysfs reset_method,
 * drivers/pci/pci.c pci_reset_fn_methods), for the device page.
 */
const METHODS: Record<string, string> = {
  device_specific: 'a quirk for this device in drivers/pci/quirks.c (pci_dev_specific_reset)',
  acpi: 'the platform\u2019s ACPI _RST method',
  flr: 'PCIe Function Level Reset: resets this function alone (Device Control, Initiate FLR)',
  af_flr: 'conventional PCI Advanced Features FLR: a function-level reset for non-PCIe functions',
  pm: 'power-management reset: D3hot \u2192 D0, which resets a function without No_Soft_Reset',
  bus: 'secondary bus reset of the parent bridge: takes every device below that bridge along',
  cxl_bus: 'CXL bus reset: a secondary bus reset with the CXL port\u2019s reset masking',
};

export function resetMethodMeaning(method: string): string {
  return METHODS[method] ?? 'a reset method this page does not know';
}

/** the sentence for a function whose reset_method list is empty (or absent) */
export const NO_RESET_METHOD = 'no reset method: the kernel cannot reset this function, so VFIO offers no VFIO_DEVICE_RESET';
