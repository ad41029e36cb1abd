/**
 * The IOMMU contexts a session holds and the groups attached to each — one
 * tree: context → attached groups (→ their device fds, kept by DeviceFds;
 * → the context's mappings, kept by ContextMappings). Like the kernel, a
 * context counts its groups and is closed after its last group leaves.
 * Contexts have the session's own ids (1, 2, …), the "container" of the API,
 * whichever kind of context it is.
 */
import { VfioError, type Bdf, type Host, type IommuInfo, type IommuKind } from '@vfioscope/host';
import type { AttachedGroup, IommuContext } from './iommu/iommu-context.ts';
import { openContext } from './iommu/open-context.ts';

export interface ContextEntry {
  readonly id: number;
  readonly context: IommuContext;
  readonly groups: Set<number>;
  info: IommuInfo | null;
}

export interface GroupEntry {
  readonly attached: AttachedGroup;
  readonly context: ContextEntry;
}

export class ContextOwnership {
  private readonly groupsById = new Map<number, GroupEntry>();
  private readonly contextsById = new Map<number, ContextEntry>();
  private nextId = 1;

  constructor(private readonly host: Host) {}

  group(id: number): GroupEntry | undefined {
    return this.groupsById.get(id);
  }

  context(id: number): ContextEntry | undefined {
    return this.contextsById.get(id);
  }

  /** The context or a VfioError naming the field, for ids the caller made up. */
  requireContext(id: number, op: string): ContextEntry {
    const entry = this.contextsById.get(id);
    if (!entry) throw new VfioError('ENOENT', op, `container ${id} is not held by this session`, { container: id, field: 'container' });
    return entry;
  }

  allGroups(): GroupEntry[] {
    return [...this.groupsById.values()];
  }

  allContexts(): ContextEntry[] {
    return [...this.contextsById.values()];
  }

  /**
   * Attach a group to the given context or to a new one of `kind`. A new context is closed again if the
   * attach fails; the kernel's error is rethrown unchanged.
   */
  async attach(groupId: number, devices: readonly Bdf[], kind: IommuKind, contextId?: number): Promise<GroupEntry> {
    const existing = contextId === undefined ? undefined : this.requireContext(contextId, 'attach');
    const entry: ContextEntry = existing ?? { id: this.nextId, context: await openContext(this.host, kind), groups: new Set(), info: null };
    let attached: AttachedGroup;
    try {
      attached = await entry.context.attachGroup(groupId, devices);
      entry.info = await entry.context.info();
    } catch (err) {
      if (!existing) await entry.context.close().catch(() => undefined);
      throw err;
    }
    if (!existing) {
      this.nextId++;
      this.contextsById.set(entry.id, entry);
    }
    entry.groups.add(groupId);
    const groupEntry: GroupEntry = { attached, context: entry };
    this.groupsById.set(groupId, groupEntry);
    return groupEntry;
  }

  /** Take the group off its context; forget the context after its last group (the caller closes it). */
  async detach(groupId: number): Promise<void> {
    const entry = this.groupsById.get(groupId);
    if (!entry) return;
    this.groupsById.delete(groupId);
    entry.context.groups.delete(groupId);
    if (entry.context.groups.size === 0) this.contextsById.delete(entry.context.id);
    await entry.attached.detach();
  }

  /** Re-read a context's info: dma_avail moves with every map and unmap. */
  async refreshInfo(entry: ContextEntry): Promise<void> {
    entry.info = await entry.context.info();
  }
}
