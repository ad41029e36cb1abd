/**
 * Topology as the UI lays it out: groups enriched with their devices, sorted
 * into sections — one per vfioscope container (groups sharing a container
 * drawn together), then groups held by other processes, then free groups —
 * and filtered by the search box and the state chips.
 */
import type { GroupView, PciDeviceView, TopologyResponse } from '@vfioscope/protocol';
import { className, vendorName } from '../../format/pci-names.ts';
import { processLabel } from '../../format/owner.ts';

export interface GroupCardModel {
  group: GroupView;
  devices: PciDeviceView[];
  /** lowercase text the search box matches against */
  haystack: string;
}

export type StateFilter = 'all' | 'viable' | 'blocked' | 'vfioscope' | 'other-owner' | 'free';

export interface Cluster {
  container: number;
  cards: GroupCardModel[];
}

export interface Section {
  key: string;
  title: string;
  subtitle: string;
  /** groups sharing a vfioscope container, drawn together (vfioscope section only) */
  clusters: Cluster[] | null;
  cards: GroupCardModel[];
}

/** who holds the group, named by format/owner.ts's one rule; null when nobody does */
export function ownerLabel(g: GroupView): string | null {
  if (g.owners.length === 0) return g.container !== null ? 'vfioscope' : null;
  return g.owners.map((o) => (o.self ? 'vfioscope' : processLabel(o))).join(', ');
}

// One card model per group object: the topology reducer keeps unchanged groups
// (and devices) by identity, so their cards — and their memoised views — survive an update.
const cardCache = new WeakMap<GroupView, GroupCardModel>();

export function buildCards(t: TopologyResponse): GroupCardModel[] {
  const byBdf = new Map(t.devices.map((d) => [d.bdf, d]));
  return t.groups
    .map((group) => {
      const devices = group.devices.map((b) => byBdf.get(b)).filter((d): d is PciDeviceView => d !== undefined);
      const cached = cardCache.get(group);
      if (cached && cached.devices.length === devices.length && cached.devices.every((d, i) => d === devices[i])) return cached;
      const card = { group, devices, haystack: haystackOf(group, devices) };
      cardCache.set(group, card);
      return card;
    })
    .sort((a, b) => a.group.id - b.group.id);
}

function haystackOf(group: GroupView, devices: PciDeviceView[]): string {
  return [
    `group ${group.id}`,
    ownerLabel(group) ?? 'free',
    ...group.owners.map((o) => `${o.comm} ${o.pid} ${o.vm ?? ''}`),
    ...devices.flatMap((d) => [
      d.bdf,
      vendorName(d.vendorId, d.vendorName),
      d.deviceName ?? '',
      d.driver ?? 'no driver',
      className(d.classCode),
      `${d.vendorId.toString(16).padStart(4, '0')}:${d.deviceId.toString(16).padStart(4, '0')}`,
    ]),
  ]
    .join(' ')
    .toLowerCase();
}

function matchesState(c: GroupCardModel, f: StateFilter): boolean {
  const g = c.group;
  switch (f) {
    case 'all':
      return true;
    case 'viable':
      return g.viable;
    case 'blocked':
      return !g.viable;
    case 'vfioscope':
      return g.container !== null || g.owners.some((o) => o.self);
    case 'other-owner':
      return g.owners.some((o) => !o.self);
    case 'free':
      return g.owners.length === 0 && g.container === null;
  }
}

export function filterCards(cards: GroupCardModel[], query: string, state: StateFilter): GroupCardModel[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return cards.filter((c) => matchesState(c, state) && terms.every((t) => c.haystack.includes(t)));
}

export function sections(cards: GroupCardModel[]): Section[] {
  const byContainer = new Map<number, GroupCardModel[]>();
  const held: GroupCardModel[] = [];
  const others: GroupCardModel[] = [];
  const free: GroupCardModel[] = [];
  for (const c of cards) {
    if (c.group.container !== null) {
      const list = byContainer.get(c.group.container) ?? [];
      list.push(c);
      byContainer.set(c.group.container, list);
      held.push(c);
    } else if (c.group.owners.length > 0) others.push(c);
    else free.push(c);
  }
  const out: Section[] = [];
  if (held.length) {
    const clusters = [...byContainer.entries()].sort(([a], [b]) => a - b).map(([container, list]) => ({ container, cards: list }));
    out.push({
      key: 'vfioscope',
      title: 'Held by vfioscope',
      subtitle: `${clusters.length} container${clusters.length === 1 ? '' : 's'} · groups in one container share its IOMMU context and DMA mappings`,
      clusters,
      cards: held,
    });
  }
  if (others.length)
    out.push({ key: 'others', title: 'Held by other processes', subtitle: 'VMs and userspace drivers', clusters: null, cards: others });
  if (free.length) out.push({ key: 'free', title: 'Not held', subtitle: 'no process has /dev/vfio/N open', clusters: null, cards: free });
  return out;
}

/** Packs container clusters into grid rows of `columns` card slots; a cluster takes one slot per group. */
export function packClusters(clusters: Cluster[], columns: number): Cluster[][] {
  const rows: Cluster[][] = [];
  let row: Cluster[] = [];
  let used = 0;
  for (const c of clusters) {
    const span = Math.min(columns, c.cards.length);
    if (used + span > columns && row.length) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(c);
    used += span;
  }
  if (row.length) rows.push(row);
  return rows;
}

export function summary(cards: GroupCardModel[]) {
  let viable = 0,
    owned = 0,
    others = 0,
    devices = 0;
  for (const c of cards) {
    if (c.group.viable) viable++;
    if (c.group.container !== null) owned++;
    if (c.group.owners.some((o) => !o.self)) others++;
    devices += c.devices.length;
  }
  return { groups: cards.length, viable, blocked: cards.length - viable, owned, others, devices };
}
