/**
 * Differences between the sim and the kernel that are understood and are not
 * the sim's behaviour being wrong: each names the probe, the field paths it
 * covers (as diff-probes.ts prints them) and why. diff-probes.ts reports
 * these apart, so "0 differ" means no unexplained difference.
 */
export interface Explained {
  probe: string;
  /** field paths (".bars.0"); a difference elsewhere in the probe still counts */
  paths: string[];
  why: string;
}

export const EXPLAINED: Explained[] = [
  {
    probe: 'config space through vfio: header fields and capabilities',
    paths: ['.bars.0', '.interruptLinePin.0'],
    why:
      "slot layout, not VFIO: the bed's q35 has -vga none, three virtio-9p devices in slots 1-3 and the first edu in " +
      "slot 4 (BAR0 0xfe400000, line 10); the sim's edu scenario keeps its own slots (its tests name its BDFs) with a " +
      'VGA, the e1000e and the first edu in slots 1-3 (0xfe200000, line 11). The line follows the q35 PIRQ rotation by ' +
      'slot (4 -> 10, 3 -> 11); BAR0 follows what else the firmware packs below the IOAPIC',
  },
];
