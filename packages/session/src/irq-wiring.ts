/**
 * The eventfds this session has wired to device IRQ indexes with
 * VFIO_DEVICE_SET_IRQS (ACTION_TRIGGER | DATA_EVENTFD), and the mask state the
 * kernel does not report: VFIO has no "get mask" ioctl, so INTx mask state is
 * tracked from what we did (MASK / UNMASK) and from what the kernel did (an
 * AUTOMASKED INTx masks itself each time it fires, seen as a count on its
 * eventfd). Counts drained here are kept until the sampler collects them, so
 * a state query never steals interrupts from the telemetry.
 */
import {
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_PCI_INTX_IRQ_INDEX,
} from '@vfioscope/uapi';
import { VfioError } from '@vfioscope/host';
import type { Host } from '@vfioscope/host';
import type { Device, EventFd } from '@vfioscope/host';
import type { Bdf, IrqIndexName } from '@vfioscope/host';
import type { SetIrqsRequest, WiredVector } from './session-types.ts';

const PCI_IRQ_NAMES: readonly IrqIndexName[] = ['INTX', 'MSI', 'MSIX', 'ERR', 'REQ'];

/** PCI name of an IRQ index number (vfio_pci's fixed index map), null when out of range. */
export function irqIndexName(index: number): IrqIndexName | null {
  return PCI_IRQ_NAMES[index] ?? null;
}

/** The key one vector is known by in the session and in telemetry: "0000:01:00.0/MSIX/3". */
export function vectorKey(bdf: Bdf, index: number | IrqIndexName, vector: number): string {
  const name = typeof index === 'number' ? (irqIndexName(index) ?? `IRQ${index}`) : index;
  return `${bdf}/${name}/${vector}`;
}

interface IndexWiring {
  /** eventfd per vector, null where none is wired */
  fds: (EventFd | null)[];
  masked: boolean[];
  automasked: boolean;
}

const IRQ_ACTIONS = new Set(['trigger', 'mask', 'unmask', 'disable']);

export class IrqWiring {
  /** bdf -> index -> wiring */
  private readonly byDevice = new Map<Bdf, Map<number, IndexWiring>>();
  /** flat list for the hot path, rebuilt only when wiring changes */
  private vectors: WiredVector[] = [];
  private fdList: EventFd[] = [];
  /** counts drained but not yet collected by drainCounts() */
  private readonly pending = new Map<string, number>();
  /** serialises drains with rewiring, so no eventfd is closed while a drain reads it */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: Host) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  wiredVectors(): WiredVector[] {
    return this.vectors.slice();
  }

  indexState(bdf: Bdf, index: number): { enabled: boolean; masked: boolean[]; vectorsWired: number } {
    const w = this.byDevice.get(bdf)?.get(index);
    if (!w) return { enabled: false, masked: [], vectorsWired: 0 };
    const wired = w.fds.reduce((n, fd) => (fd ? n + 1 : n), 0);
    return { enabled: wired > 0, masked: w.masked.slice(), vectorsWired: wired };
  }

  /** One VFIO_DEVICE_SET_IRQS for the request; the kernel's errno goes through unchanged. */
  set(device: Device, req: SetIrqsRequest): Promise<void> {
    return this.serial(() => this.setLocked(device, req));
  }

  private async setLocked(device: Device, req: SetIrqsRequest): Promise<void> {
    const op = 'VFIO_DEVICE_SET_IRQS';
    const ctx = { device: device.name };
    if (!IRQ_ACTIONS.has(req.action)) {
      throw new VfioError('EINVAL', op, `unknown action ${String(req.action)}`, { ...ctx, field: 'action' });
    }
    for (const field of ['index', 'start', 'count'] as const) {
      if (!Number.isSafeInteger(req[field]) || req[field] < 0) {
        throw new VfioError('EINVAL', op, `${field} must be a non-negative integer`, { ...ctx, field });
      }
    }
    // VFIO_DEVICE_GET_IRQ_INFO first: it reports a bad index exactly, and the
    // vector count bounds how many eventfds a trigger may create.
    const info = await device.irqInfo(req.index);
    const { index, start, count } = req;
    switch (req.action) {
      case 'trigger': {
        if (count === 0 || start + count > info.count) {
          // the kernel rejects it too, but only after we would have made the eventfds
          throw new VfioError('EINVAL', op, `vectors ${start}..${start + count - 1} outside index ${index} (${info.count} vectors)`, {
            ...ctx,
            field: 'count',
          });
        }
        const fresh: EventFd[] = [];
        try {
          for (let i = 0; i < count; i++) fresh.push(await this.host.createEventFd());
          await device.setIrqs({ index, start, count, action: VFIO_IRQ_SET_ACTION_TRIGGER, data: { type: 'eventfd', fds: fresh } });
        } catch (err) {
          for (const fd of fresh) await fd.close().catch(() => undefined);
          throw err;
        }
        const w = this.wiring(device.name, index, info.count, (info.flags & VFIO_IRQ_INFO_AUTOMASKED) !== 0);
        const replaced: EventFd[] = [];
        for (const [i, fd] of fresh.entries()) {
          const old = w.fds[start + i];
          if (old) replaced.push(old);
          w.fds[start + i] = fd;
          w.masked[start + i] = false;
        }
        await this.retire(device.name, replaced);
        break;
      }
      case 'disable': {
        const w = this.byDevice.get(device.name)?.get(index);
        const whole = count === 0 || (start === 0 && count >= info.count);
        if (whole) {
          // DATA_NONE | ACTION_TRIGGER with count 0 tears the whole index down
          await device.setIrqs({ index, start: 0, count: 0, action: VFIO_IRQ_SET_ACTION_TRIGGER, data: { type: 'none' } });
        } else {
          // de-assign these vectors' eventfds (fd -1); the index stays enabled
          await device.setIrqs({
            index,
            start,
            count,
            action: VFIO_IRQ_SET_ACTION_TRIGGER,
            data: { type: 'eventfd', fds: new Array<null>(count).fill(null) },
          });
        }
        if (w) {
          const from = whole ? 0 : start;
          const to = whole ? w.fds.length : Math.min(start + count, w.fds.length);
          const retired: EventFd[] = [];
          for (let v = from; v < to; v++) {
            const fd = w.fds[v];
            if (fd) retired.push(fd);
            w.fds[v] = null;
            w.masked[v] = false;
          }
          await this.retire(device.name, retired);
          if (w.fds.every((fd) => fd === null)) this.byDevice.get(device.name)?.delete(index);
        }
        break;
      }
      case 'mask':
      case 'unmask': {
        const action = req.action === 'mask' ? VFIO_IRQ_SET_ACTION_MASK : VFIO_IRQ_SET_ACTION_UNMASK;
        if (req.action === 'unmask') await this.pollLocked(); // a fire before the unmask must not count as masked after it
        // the DATA_* flag of the ioctl comes from `data`; IrqSetRequest.action holds the ACTION_* flag only
        await device.setIrqs({ index, start, count, action, data: { type: 'none' } });
        const w = this.byDevice.get(device.name)?.get(index);
        if (w) for (let v = start; v < Math.min(start + count, w.masked.length); v++) w.masked[v] = req.action === 'mask';
        break;
      }
    }
  }

  /** Disable every index wired on a device (before its fd closes). Keeps going on failure, rethrows the first. */
  async releaseDevice(device: Device): Promise<void> {
    const indexes = [...(this.byDevice.get(device.name)?.keys() ?? [])];
    let failure: unknown;
    for (const index of indexes) {
      try {
        await this.set(device, { index, action: 'disable', start: 0, count: 0 });
      } catch (err) {
        failure ??= err;
        // the fds must go even when the kernel refused: the device fd closes next
        await this.serial(() => this.forget(device.name, index));
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Counts since the last call for every wired vector (0 included): one host.drainEventFds. */
  drainCounts(): Promise<Map<string, number>> {
    return this.serial(async () => {
      await this.pollLocked();
      const out = new Map<string, number>();
      for (const v of this.vectors) out.set(v.key, this.pending.get(v.key) ?? 0);
      // counts of vectors retired since the last drain still belong to this interval
      for (const [key, n] of this.pending) if (!out.has(key)) out.set(key, n);
      this.pending.clear();
      return out;
    });
  }

  /** Drain into `pending` and apply INTx auto-masking; used before state queries. */
  poll(): Promise<void> {
    return this.serial(() => this.pollLocked());
  }

  private async pollLocked(): Promise<void> {
    if (this.fdList.length === 0) return;
    const counts = await this.host.drainEventFds(this.fdList);
    for (const [i, n] of counts.entries()) {
      if (n === 0) continue;
      const v = this.vectors[i];
      if (!v) throw new Error(`drainEventFds returned ${counts.length} counts for ${this.vectors.length} eventfds`);
      this.pending.set(v.key, (this.pending.get(v.key) ?? 0) + n);
      const w = this.byDevice.get(v.bdf)?.get(v.index);
      if (w?.automasked) w.masked[v.vector] = true;
    }
  }

  private wiring(bdf: Bdf, index: number, vectors: number, automasked: boolean): IndexWiring {
    let perDevice = this.byDevice.get(bdf);
    if (!perDevice) {
      perDevice = new Map<number, IndexWiring>();
      this.byDevice.set(bdf, perDevice);
    }
    let w = perDevice.get(index);
    if (!w) {
      w = {
        fds: new Array<EventFd | null>(vectors).fill(null),
        masked: new Array<boolean>(vectors).fill(false),
        automasked: automasked || index === VFIO_PCI_INTX_IRQ_INDEX,
      };
      perDevice.set(index, w);
    }
    return w;
  }

  /** Drain retired eventfds into pending (their counts are real interrupts), then close them. */
  private async retire(bdf: Bdf, fds: EventFd[]): Promise<void> {
    if (fds.length > 0) {
      const keyOf = new Map(this.vectors.filter((v) => v.bdf === bdf).map((v) => [v.eventfd, v.key]));
      const counts = await this.host.drainEventFds(fds).catch(() => fds.map(() => 0));
      fds.forEach((fd, i) => {
        const key = keyOf.get(fd);
        if (key && counts[i]) this.pending.set(key, (this.pending.get(key) ?? 0) + counts[i]);
      });
      for (const fd of fds) await fd.close().catch(() => undefined);
    }
    this.rebuild();
  }

  private async forget(bdf: Bdf, index: number): Promise<void> {
    const w = this.byDevice.get(bdf)?.get(index);
    if (!w) return;
    this.byDevice.get(bdf)?.delete(index);
    await this.retire(
      bdf,
      w.fds.filter((fd): fd is EventFd => fd !== null),
    );
  }

  private rebuild(): void {
    const vectors: WiredVector[] = [];
    for (const [bdf, perDevice] of this.byDevice) {
      for (const [index, w] of perDevice) {
        const indexName = irqIndexName(index) ?? 'INTX';
        w.fds.forEach((eventfd, vector) => {
          if (eventfd) vectors.push({ key: vectorKey(bdf, index, vector), bdf, index, indexName, vector, eventfd });
        });
      }
      if (perDevice.size === 0) this.byDevice.delete(bdf);
    }
    this.vectors = vectors;
    this.fdList = vectors.map((v) => v.eventfd);
  }
}
