/**
 * Who owns an interrupt vector: the process holding the device's group open
 * (/dev/vfio/N), found from the topology (BDF → group) and the group owners.
 * Vectors vfioscope wired itself belong to this process.
 */
import { guestName, type Bdf, type GroupOwner, type Topology } from '@vfioscope/host';
import type { VectorOwner } from './telemetry-types.ts';

export class VectorOwners {
  private groupOfBdf = new Map<Bdf, number>();
  private ownerOfGroup = new Map<number, VectorOwner>();
  private selfOwner: VectorOwner = { pid: process.pid, comm: 'vfioscope', vm: null };

  update(topology: Topology | null, owners: readonly GroupOwner[] | null): void {
    if (topology) {
      this.groupOfBdf = new Map();
      for (const d of topology.devices) if (d.iommuGroup !== null) this.groupOfBdf.set(d.bdf, d.iommuGroup);
    }
    if (owners) {
      this.ownerOfGroup = new Map();
      for (const o of owners) {
        const owner = { pid: o.pid, comm: o.comm, vm: o.self ? null : guestName(o.cmdline) };
        if (o.self) this.selfOwner = owner;
        // another process wins over ourselves when both hold a group's fd
        if (!this.ownerOfGroup.has(o.group) || !o.self) this.ownerOfGroup.set(o.group, owner);
      }
    }
  }

  get self(): VectorOwner {
    return this.selfOwner;
  }

  of(bdf: Bdf, source: 'owned' | 'observed'): VectorOwner | null {
    if (source === 'owned') return this.selfOwner;
    const group = this.groupOfBdf.get(bdf);
    return group === undefined ? null : (this.ownerOfGroup.get(group) ?? null);
  }
}
