/**
 * What acting on a group means, worded before the operator confirms it:
 * what Release tears down (from GroupView.held), whether Open takes a device
 * a VM would want (a passthrough candidate), which blockers can be handed to
 * vfio-pci, and the QEMU arguments that pass a viable group to a VM.
 */
import type { GroupView, HeldGroupView, PciDeviceView } from '@vfioscope/protocol';
import { formatBytes } from '../../format/units.ts';

/** PCI base classes (and USB) that people give to VMs: storage, network, display, multimedia, USB, accelerators */
const PASSTHROUGH_CLASSES = new Set([0x01, 0x02, 0x03, 0x04, 0x12]);
const USB_CONTROLLER = 0x0c03;
const BRIDGE_CLASS = 0x06;

const baseClass = (d: PciDeviceView) => (d.classCode >> 16) & 0xff;
const isBridge = (d: PciDeviceView) => baseClass(d) === BRIDGE_CLASS;

/**
 * A group someone bound to vfio-pci for a VM: one of its devices is on
 * vfio-pci and of a class that is passed through (a GPU, its audio, a NIC or
 * VF, an NVMe, a USB controller) — not a test device like edu.
 */
export function isPassthroughCandidate(devices: PciDeviceView[]): boolean {
  return devices.some((d) => d.driver === 'vfio-pci' && isPassthroughClass(d));
}

/** a function of a class people hand to VMs (storage, network, display, multimedia, USB controller, accelerator) */
const isPassthroughClass = (d: PciDeviceView) => PASSTHROUGH_CLASSES.has(baseClass(d)) || ((d.classCode >> 8) & 0xffff) === USB_CONTROLLER;

const INDEX_NAMES: Record<string, string> = { INTX: 'INTx', MSI: 'MSI', MSIX: 'MSI-X', ERR: 'ERR', REQ: 'REQ' };

/** What releasing a held group tears down, one line per kind of thing, in the kernel's order. */
export function releaseItems(groupId: number, held: HeldGroupView): string[] {
  const out: string[] = [];
  for (const irq of held.irqs)
    out.push(
      `${INDEX_NAMES[irq.index] ?? irq.index} wired on ${irq.bdf} (${irq.vectors} vector${irq.vectors === 1 ? '' : 's'}) — disabled`,
    );
  const maps = `${held.mappings} mapping${held.mappings === 1 ? '' : 's'}, ${formatBytes(held.pinnedBytes)} pinned`;
  if (held.otherGroups.length)
    out.push(
      `${maps} stay with container ${held.container}: group${held.otherGroups.length === 1 ? '' : 's'} ${held.otherGroups.join(', ')} still hold${held.otherGroups.length === 1 ? 's' : ''} it`,
    );
  else out.push(`${maps} — unmapped and unpinned: group ${groupId} is container ${held.container}'s last group`);
  out.push("the group's device fds closed");
  return out;
}

/** The short form of the same, for the result: "8 mappings, 30 MiB pinned, MSI-X wired on 0000:65:00.0" */
export function releaseSummary(held: HeldGroupView): string {
  const parts = [`${held.mappings} mapping${held.mappings === 1 ? '' : 's'}, ${formatBytes(held.pinnedBytes)} pinned`];
  if (held.otherGroups.length) parts[0] += ` (kept by container ${held.container})`;
  for (const irq of held.irqs) parts.push(`${INDEX_NAMES[irq.index] ?? irq.index} wired on ${irq.bdf}`);
  return parts.join(', ');
}

/**
 * The blockers "Bind all blockers to vfio-pci" takes: all of them, and only when every one is a
 * function people pass to VMs (a GPU's audio, a NIC, an NVMe, a USB controller). A group with a
 * bridge or chipset plumbing among its blockers (the LPC/ISA bridge, SMBus, SPI, thermal sensors)
 * is offered nothing: binding what can be bound would take those functions from the host and
 * still leave the group not viable — that needs a person and sysfs.
 */
export function bindableBlockers(g: GroupView, devices: PciDeviceView[]): GroupView['blockers'] {
  const byBdf = new Map(devices.map((d) => [d.bdf, d]));
  const all = g.blockers.every((b) => {
    const d = byBdf.get(b.bdf);
    return d !== undefined && !isBridge(d) && isPassthroughClass(d);
  });
  return all ? g.blockers : [];
}

/** How QEMU takes the group: one -device per function (bridges stay on the host side) */
export function qemuArgs(devices: PciDeviceView[]): string {
  return devices
    .filter((d) => !isBridge(d))
    .map((d) => `-device vfio-pci,host=${d.bdf}`)
    .join(' ');
}
