/**
 * A scenario is a whole simulated host: its PCI functions, how they are
 * grouped by the IOMMU, which driver each is bound to, what load each
 * interrupt vector carries, which processes (e.g. QEMU VMs) own which groups,
 * and the limits in force. Scenarios are plain data (JSON-serialisable) so an
 * operator can write one in a file; device kinds map to DeviceModels.
 */
import type { ScenarioScript } from './script/script-types.ts';

export type LoadProfile =
  /** a constant rate */
  | { kind: 'steady'; rate: number }
  /** `base` rate with bursts of `burstRate` for `burstMs` every `periodMs` */
  | { kind: 'bursty'; base: number; burstRate: number; periodMs: number; burstMs: number }
  /**
   * `base` until `startMs` after the scenario starts, then `rate` (an interrupt storm) for `durationMs`
   * (forever if omitted), again every `periodMs` after `startMs` when given (a storm that recurs)
   */
  | { kind: 'storm'; base: number; rate: number; startMs: number; durationMs?: number; periodMs?: number }
  /** alternates between `high` and `low` rate every `periodMs` */
  | { kind: 'flapping'; high: number; low: number; periodMs: number };

export interface ScenarioIrqLoad {
  /** IRQ index name */
  index: 'INTX' | 'MSI' | 'MSIX';
  /** vector number, or "all" for every vector of the index */
  vector: number | 'all';
  profile: LoadProfile;
}

export type ScenarioDeviceKind = 'edu' | 'gpu' | 'gpu-audio' | 'nic-pf' | 'nic-vf' | 'nvme' | 'pci-bridge' | 'usb' | 'sata' | 'generic';

export interface ScenarioDevice {
  bdf: string;
  kind: ScenarioDeviceKind;
  vendorId: number;
  deviceId: number;
  subsystemVendorId?: number;
  subsystemDeviceId?: number;
  classCode: number;
  vendorName?: string;
  deviceName?: string;
  group: number;
  /** bound driver, null = none */
  driver: string | null;
  numaNode?: number;
  physfn?: string;
  /** MSI-X vectors (0 = no MSI-X capability) */
  msixVectors?: number;
  /** MSI vectors (0 = no MSI capability) */
  msiVectors?: number;
  /** offers function-level reset (VFIO_DEVICE_FLAGS_RESET) */
  reset?: boolean;
  /**
   * from this reset of the function on (1 = the first since power-on; vfio-pci
   * resets at first open and last close too) it does not come back and reads
   * all-ones — the commonest reset failure of GPU passthrough
   */
  resetFailsFrom?: number;
  /** BAR sizes in bytes, index 0..5 (0 = absent) */
  bars?: number[];
  /** interrupt load while the device is in use */
  irqLoad?: ScenarioIrqLoad[];
  /** its user DMAs to an IOVA it never mapped every `everyMs`: an IOMMU fault line in the kernel log each time */
  dmaFaults?: { everyMs: number; iova: number };
  /** function 0 of a multi-function device (header type bit 7); defaults by kind (gpu: true) */
  multifunction?: boolean;
  /** SR-IOV PF: VFs currently enabled (NumVFs); defaults to the scenario's VFs of this PF when built by the scenario helpers */
  numVfs?: number;
  /** pci-bridge kind: what sort of bridge (default 'root-port') */
  bridgeType?: 'root-port' | 'downstream' | 'upstream' | 'pcie-to-pci' | 'pci-bridge';
  /** pci-bridge kind: the bus number behind the bridge (default: own bus + 1) */
  secondaryBus?: number;
}

/** A process other than vfioscope that holds groups open, like a QEMU VM. */
export interface ScenarioProcess {
  pid: number;
  comm: string;
  cmdline: string;
  groups: number[];
  /**
   * how it holds them: /dev/vfio/N (the legacy path, the default), or the cdevs of their devices
   * with /dev/iommu (QEMU's -object iommufd; needs a kernel with the VFIO device cdev)
   */
  via?: 'group' | 'cdev';
  lockedBytes: number;
  pinnedBytes: number;
  memlockLimit: number | null;
}

export interface Scenario {
  name: string;
  description: string;
  hostname: string;
  /** uname -r; its version decides which VFIO uAPIs exist (kernel/kernel-profile.ts) */
  kernel: string;
  /** who serves /dev/vfio/vfio: vfio's type1 (the default) or iommufd's compat container (Linux 6.2+) */
  iommu?: 'type1' | 'iommufd-compat';
  /** /dev/iommu exists (CONFIG_IOMMUFD); defaults to true from Linux 6.2 */
  iommufd?: boolean;
  /** /dev/vfio/devices/vfioN exist (CONFIG_VFIO_DEVICE_CDEV); defaults to true from Linux 6.6 when iommufd is there */
  cdev?: boolean;
  cpus: number;
  /** RLIMIT_MEMLOCK of the vfioscope process, bytes; null = unlimited */
  memlockLimit: number | null;
  dmaEntryLimit: number;
  allowUnsafeInterrupts: boolean;
  interruptRemapping: boolean;
  devices: ScenarioDevice[];
  processes: ScenarioProcess[];
  /** a timeline of things that happen to the host, looping (script/script-types.ts): a demo on cue */
  script?: ScenarioScript;
}
