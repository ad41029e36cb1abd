/**
 * DriveSession: vfioscope acting as the userspace driver over any Host and
 * either IOMMU path (a VFIO container, or an iommufd IOAS with device
 * cdevs). It owns what it opens in the kernel — IOMMU contexts, attached
 * groups, device fds, IRQ eventfds, DMA buffers and their mappings — tears
 * them down in the kernel's order (rules/teardown.ts), and emits a
 * SessionEvent for every action attempt.
 *
 * Errors are the host's VfioError unchanged; the session adds its own only
 * where the kernel could not say precisely what is wrong (an id this session
 * does not hold, a request whose preparation would fail before the ioctl).
 */
import { Teardown, VfioError, type Bdf, type Device, type Host, type HotResetInfo, type IommuKind, type IrqInfo } from '@vfioscope/host';
import { ContextOwnership } from './context-ownership.ts';
import { DeviceFds } from './device-fds.ts';
import { ContextMappings } from './dma-mappings.ts';
import { type IommuMode, resolveIommuKind } from './iommu/open-context.ts';
import { irqIndexName, IrqWiring } from './irq-wiring.ts';
import { verifyReset } from './reset-verify.ts';
import { SessionEventBus, type SessionEventListener } from './session-events.ts';
import type {
  DeviceState,
  HotResetResult,
  MapDmaRequest,
  MappingChanges,
  MappingRow,
  MappingSort,
  OwnedContainer,
  OwnedGroup,
  RegionState,
  ResetVerification,
  SetIrqsRequest,
  UnmapDmaRequest,
  WiredVector,
} from './session-types.ts';

export interface DriveSessionOptions {
  onEvent?: SessionEventListener;
  /** which IOMMU path new contexts take (default auto: iommufd where the kernel offers it with the device cdev) */
  iommu?: IommuMode;
}

export class DriveSession {
  private readonly events = new SessionEventBus();
  private readonly ownership: ContextOwnership;
  private readonly devices: DeviceFds;
  private readonly irqs: IrqWiring;
  private readonly mappingsByContainer = new Map<number, ContextMappings>();
  /** the verification of each function's last reset (reset-verify.ts) */
  private readonly lastResets = new Map<Bdf, ResetVerification>();
  /** the IOMMU path asked for (auto, type1, iommufd) */
  readonly mode: IommuMode;
  private kind: IommuKind | null = null;

  constructor(
    readonly host: Host,
    opts: DriveSessionOptions = {},
  ) {
    this.ownership = new ContextOwnership(host);
    this.devices = new DeviceFds(host, this.ownership);
    this.irqs = new IrqWiring(host);
    this.mode = opts.iommu ?? 'auto';
    if (opts.onEvent) this.events.on(opts.onEvent);
  }

  /** The kind of IOMMU context this session creates on this host (resolved from the mode and the kernel's uAPIs). */
  async iommuKind(): Promise<IommuKind> {
    this.kind ??= resolveIommuKind(this.mode, (await this.host.hostInfo()).uapi);
    return this.kind;
  }

  /** Another listener for SessionEvents (besides opts.onEvent); returns unsubscribe. */
  onEvent(fn: SessionEventListener): () => void {
    return this.events.on(fn);
  }

  // ---- groups & containers ----

  openGroup(group: number, opts: { container?: number } = {}): Promise<{ group: number; container: number }> {
    return this.events.record(
      'openGroup',
      { group, ...(opts.container !== undefined ? { container: opts.container } : {}) },
      { group, container: opts.container ?? null },
      async () => {
        const kind = await this.iommuKind();
        // the iommufd path attaches devices: the group's functions on vfio-pci (the kernel checks the rest)
        const topology = kind === 'iommufd' ? await this.host.topology() : null;
        const devices = topology?.devices.filter((d) => d.iommuGroup === group && d.driver === 'vfio-pci').map((d) => d.bdf) ?? [];
        const entry = await this.ownership.attach(group, devices, kind, opts.container);
        const id = entry.context.id;
        if (!this.mappingsByContainer.has(id)) this.mappingsByContainer.set(id, new ContextMappings(this.host, entry.context.context, id));
        return { group, container: id };
      },
      (r) => r,
    );
  }

  closeGroup(group: number): Promise<void> {
    return this.events.record('closeGroup', { group }, { group }, () => this.teardownGroup(group));
  }

  groups(): OwnedGroup[] {
    return this.ownership.allGroups().map((g) => ({
      group: g.attached.group,
      container: g.context.id,
      devices: this.devices.devicesOf(g.attached.group),
    }));
  }

  containers(): OwnedContainer[] {
    return this.ownership.allContexts().map((c) => {
      const m = this.mappingsByContainer.get(c.id);
      return {
        id: c.id,
        kind: c.context.kind,
        groups: [...c.groups],
        iommuInfo: c.info,
        mappingCount: m?.count ?? 0,
        pinnedBytes: m?.pinnedBytes ?? 0n,
      };
    });
  }

  // ---- devices ----

  /** The device fd, opened on first use (its group must be open in this session). */
  async device(bdf: Bdf): Promise<Device> {
    if (this.devices.isOpen(bdf)) return this.devices.get(bdf);
    return this.events.record(
      'openDevice',
      { device: bdf },
      { bdf },
      () => this.devices.get(bdf),
      (d) => ({ group: d.group }),
    );
  }

  async deviceState(bdf: Bdf): Promise<DeviceState> {
    const device = await this.device(bdf);
    await this.irqs.poll(); // pick up INTx auto-masks that happened since the last tick
    const info = await device.info();
    const regions: RegionState[] = [];
    for (let index = 0; index < info.numRegions; index++) {
      try {
        regions.push({ ...(await device.regionInfo(index)), error: null });
      } catch (err) {
        if (!(err instanceof VfioError)) throw err;
        regions.push({ index, flags: 0, size: 0n, offset: 0n, capabilities: [], error: err.errno });
      }
    }
    const irqs: DeviceState['irqs'] = [];
    for (let index = 0; index < info.numIrqs; index++) {
      // the kernel refuses GET_IRQ_INFO for an index the function lacks (ERR on conventional PCI): EINVAL
      let irq: IrqInfo;
      let error: string | null = null;
      try {
        irq = await device.irqInfo(index);
      } catch (err) {
        if (!(err instanceof VfioError)) throw err;
        irq = { index, flags: 0, count: 0 };
        error = err.errno;
      }
      const name = irqIndexName(index);
      const wired = this.irqs.indexState(bdf, index);
      irqs.push({
        ...irq,
        error,
        name,
        enabled: wired.enabled,
        masked: name === 'INTX' ? Array.from({ length: irq.count }, (_, v) => wired.masked[v] ?? false) : null,
        vectorsWired: wired.vectorsWired,
      });
    }
    return { bdf, group: device.group, info, regions, irqs };
  }

  setIrqs(bdf: Bdf, req: SetIrqsRequest): Promise<void> {
    return this.events.record('setIrqs', { device: bdf }, { ...req }, async () => {
      const device = await this.device(bdf);
      await this.irqs.set(device, req);
    });
  }

  /** VFIO_DEVICE_RESET, then config space read back: did the device come back? */
  reset(bdf: Bdf): Promise<ResetVerification> {
    return this.events.record(
      'reset',
      { device: bdf },
      {},
      async () => {
        const device = await this.device(bdf);
        await device.reset();
        return this.remember(await verifyReset(device, 'function', Date.now()));
      },
      (v) => ({ verification: v }),
      (v) => (v.cameBack ? undefined : v.summary),
    );
  }

  /** VFIO_DEVICE_GET_PCI_HOT_RESET_INFO through the device fd: what a bus reset of it would take along */
  async hotResetInfo(bdf: Bdf): Promise<HotResetInfo> {
    return (await this.device(bdf)).hotResetInfo();
  }

  /**
   * VFIO_DEVICE_PCI_HOT_RESET with the group file of every affected group this
   * session holds; one it does not hold is the kernel's to refuse (EINVAL), and
   * its errno stands. The functions whose fds are open are verified after it
   * (opening one now would reset it again: vfio_pci_core_enable).
   */
  hotReset(bdf: Bdf): Promise<HotResetResult> {
    return this.events.record(
      'hotReset',
      { device: bdf },
      {},
      async () => {
        const device = await this.device(bdf);
        const info = await device.hotResetInfo();
        const ids = new Set(info.devices.map((d) => d.id));
        const files = this.ownership
          .allGroups()
          .filter((g) => ids.has(g.attached.group))
          .flatMap((g) => (g.attached.groupFile ? [g.attached.groupFile] : []));
        await device.hotReset(files);
        const ts = Date.now();
        const verifications: ResetVerification[] = [];
        for (const d of info.devices) {
          const fd = this.devices.peek(d.bdf);
          if (fd) verifications.push(this.remember(await verifyReset(await fd, 'hot', ts)));
        }
        return { bdf, affected: info.devices, verifications };
      },
      (r) => ({ ...r }),
      (r) => {
        const gone = r.verifications.filter((v) => !v.cameBack);
        return gone.length > 0 ? gone.map((v) => v.summary).join('; ') : undefined;
      },
    );
  }

  /** the verification of the last reset of this function through vfioscope, null if none */
  lastReset(bdf: Bdf): ResetVerification | null {
    return this.lastResets.get(bdf) ?? null;
  }

  private remember(v: ResetVerification): ResetVerification {
    this.lastResets.set(v.bdf, v);
    return v;
  }

  regionRead(bdf: Bdf, index: number, offset: bigint, size: number): Promise<Uint8Array> {
    return this.events.record(
      'regionRead',
      { device: bdf },
      { index, offset, size },
      async () => (await this.device(bdf)).read(index, offset, size),
      (data) => ({ data }),
    );
  }

  regionWrite(bdf: Bdf, index: number, offset: bigint, data: Uint8Array): Promise<void> {
    return this.events.record('regionWrite', { device: bdf }, { index, offset, data }, async () => {
      await (await this.device(bdf)).write(index, offset, data);
    });
  }

  // ---- DMA ----

  mapDma(container: number, req: MapDmaRequest): Promise<MappingRow> {
    return this.events.record(
      'mapDma',
      { container },
      { ...req },
      async () => {
        const row = await this.mappingsOf(container, 'map').map(req);
        await this.refreshIommuInfo(container);
        return row;
      },
      (row) => ({ ...row }),
    );
  }

  unmapDma(container: number, req: UnmapDmaRequest): Promise<{ unmappedBytes: bigint; removed: number }> {
    return this.events.record(
      'unmapDma',
      { container },
      { ...req },
      async () => {
        const r = await this.mappingsOf(container, 'unmap').unmap(req);
        await this.refreshIommuInfo(container);
        return r;
      },
      (r) => ({ ...r }),
    );
  }

  /**
   * dma_avail (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) moves with every map and unmap: re-read it so containers()
   * reports what the kernel would say now. A failed re-read leaves the previous figure; the map itself stands.
   */
  private async refreshIommuInfo(container: number): Promise<void> {
    const entry = this.ownership.context(container);
    if (!entry) return;
    await this.ownership.refreshInfo(entry).catch(() => undefined);
  }

  /**
   * The lowest IOVA at or after `from` where `size` bytes are free in the container — no mapping there and
   * inside one of the IOMMU's valid IOVA ranges — or null: what to offer after an EEXIST.
   */
  freeIova(container: number, from: bigint, size: bigint): bigint | null {
    const m = this.mappingsOf(container, 'freeIova');
    const ranges = this.ownership.context(container)?.info?.iovaRanges ?? [];
    const within = ranges.length ? ranges : [{ start: 0n, end: (1n << 64n) - 1n }];
    for (const r of within) {
      if (r.end < from) continue;
      const found = m.firstGap(from > r.start ? from : r.start, size, r.end);
      if (found !== null) return found;
    }
    return null;
  }

  /** The mappings an unmap of [iova, iova + size) would split; type1 refuses such an unmap with EINVAL. */
  straddling(container: number, iova: bigint, size: bigint): MappingRow[] {
    return this.mappingsOf(container, 'straddling').straddling(iova, size);
  }

  /** One page of a container's mapping table (IOVA order unless sorted otherwise). */
  mappings(container: number, offset: number, limit: number, sort?: MappingSort): { total: number; rows: MappingRow[] } {
    return this.mappingsOf(container, 'mappings').rows(offset, limit, sort);
  }

  /**
   * The version of a container's mapping table, which moves on every map and
   * unmap; undefined when this session holds no such container. Cheap: a
   * watcher compares it each tick before reading anything.
   */
  mappingsVersion(container: number): number | undefined {
    return this.mappingsByContainer.get(container)?.version;
  }

  /**
   * What changed in a container's mapping table since `version` (from
   * mappingsVersion or a previous call); null when that is too far back for
   * the journal (or the table was cleared, or the container is not held):
   * read the table again with mappings().
   */
  mappingChanges(container: number, version: number): MappingChanges | null {
    return this.mappingsByContainer.get(container)?.changesSince(version) ?? null;
  }

  // ---- IRQ counting (for the sampler) ----

  wiredVectors(): WiredVector[] {
    return this.irqs.wiredVectors();
  }

  /** Interrupts per wired vector since the last call, keyed by vectorKey(); one host.drainEventFds. */
  drainCounts(): Promise<Map<string, number>> {
    return this.irqs.drainCounts();
  }

  /** Release everything, group by group, in the kernel's teardown order. */
  close(): Promise<void> {
    return this.events.record('close', {}, {}, async () => {
      let failure: unknown;
      for (const g of this.ownership.allGroups()) {
        try {
          await this.teardownGroup(g.attached.group);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    });
  }

  // ---- internals ----

  private mappingsOf(container: number, op: string): ContextMappings {
    const entry = this.ownership.requireContext(container, op);
    const m = this.mappingsByContainer.get(entry.id);
    if (!m) throw new VfioError('ENOENT', op, `container ${container} is not held by this session`, { container, field: 'container' });
    return m;
  }

  /**
   * Release one group in the kernel's order: its vectors off, then — when it is its context's last group — the
   * context's mappings, its device fds, the group off the context, the context itself, and the DMA buffers.
   * Best effort: every step runs; the first failure is rethrown.
   */
  private async teardownGroup(group: number): Promise<void> {
    const entry = this.ownership.group(group);
    if (!entry) throw new VfioError('ENOENT', 'close', `group ${group} is not open in this session`, { group, field: 'group' });
    const context = entry.context;
    const lastGroup = context.groups.size === 1;
    const mappings = this.mappingsByContainer.get(context.id);
    const t = new Teardown();
    for (const bdf of this.devices.devicesOf(group)) {
      t.add('irq', `IRQs of ${bdf} off`, async () => {
        const device = await this.devices.peek(bdf)?.catch(() => null);
        if (device) await this.irqs.releaseDevice(device);
      });
      t.add('device', `close ${bdf}`, () => this.devices.close(bdf));
    }
    if (lastGroup && mappings) {
      t.add('dma', `unmap everything in container ${context.id}`, async () => {
        if (mappings.count > 0) await mappings.unmap({ all: true });
      });
      t.add('memory', `free the DMA buffers of container ${context.id}`, () => mappings.forgetAll());
    }
    t.add('detach', `group ${group} off container ${context.id}`, () => this.ownership.detach(group));
    if (lastGroup) {
      t.add('context', `close container ${context.id}`, async () => {
        this.mappingsByContainer.delete(context.id);
        await context.context.close();
      });
    }
    const failures = await t.release();
    if (failures[0]) throw failures[0].error;
  }
}
