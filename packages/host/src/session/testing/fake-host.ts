/**
 * A minimal in-memory Host for the session's unit tests: one viable group
 * with one device (INTx + 4 MSI vectors, BAR0 4 KiB), containers, type1-style
 * mappings with overlap and alignment checks, eventfds. It records every call
 * so tests can assert the kernel teardown order. Only what the session
 * touches is modelled; the real kernel model is the sim backend.
 */
import { VfioError } from '../../errors.ts';
import type { Host } from '../../host.ts';
import type { Container, Device, DmaBuffer, EventFd, Group, IrqSetRequest } from '../../drive.ts';

export const FAKE_BDF = '0000:00:04.0';
export const FAKE_GROUP = 7;

export class FakeEventFd implements EventFd {
  count = 0;
  closed = false;
  constructor(readonly fd: number) {}
  async drain(): Promise<number> {
    const n = this.count;
    this.count = 0;
    return n;
  }
  async signal(value = 1): Promise<void> {
    this.count += value;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface FakeHost extends Host {
  calls: string[];
  /** eventfds wired per IRQ index */
  wired: Map<number, (FakeEventFd | null)[]>;
  /** the device fires a vector (INTx only when unmasked; it then auto-masks) */
  fire(index: number, vector: number, times?: number): void;
  intxMasked: boolean;
  openFds: Set<string>;
}

export function createFakeHost(): FakeHost {
  let nextFd = 100;
  let nextVaddr = 0x7f00_0000_0000n;
  const calls: string[] = [];
  const openFds = new Set<string>();
  const wired = new Map<number, (FakeEventFd | null)[]>();
  const irqCounts = [1, 4, 0, 1, 1];
  let groupOpen = false;
  const fail = (errno: 'EINVAL' | 'EBUSY' | 'EEXIST' | 'ENODEV', op: string, msg: string): never => {
    throw new VfioError(errno, op, msg);
  };

  const makeContainer = (id: number): Container => {
    let iommuSet = false;
    let groups = 0;
    const maps: { iova: bigint; size: bigint }[] = [];
    const c: Container & { attachGroup(): void; detachGroup(): void } = {
      id,
      apiVersion: async () => 0,
      checkExtension: async () => 1,
      setIommu: async () => {
        calls.push(`container${id}.setIommu`);
        if (groups === 0 || iommuSet) fail('EINVAL', 'VFIO_SET_IOMMU', 'no group or already set');
        iommuSet = true;
      },
      iommuInfo: async () => ({
        flags: 3,
        iovaPgsizes: 0x1000n,
        iovaRanges: [{ start: 0n, end: (1n << 39n) - 1n }],
        dmaAvail: 65535 - maps.length,
      }),
      mapDma: async (req) => {
        calls.push(`container${id}.mapDma`);
        if (req.iova % 4096n !== 0n || req.size % 4096n !== 0n || req.size === 0n) fail('EINVAL', 'VFIO_IOMMU_MAP_DMA', 'unaligned');
        if ((req.flags & 3) === 0) fail('EINVAL', 'VFIO_IOMMU_MAP_DMA', 'no READ/WRITE');
        if (maps.some((m) => req.iova < m.iova + m.size && m.iova < req.iova + req.size)) fail('EEXIST', 'VFIO_IOMMU_MAP_DMA', 'overlap');
        maps.push({ iova: req.iova, size: req.size });
      },
      unmapDma: async (req) => {
        calls.push(`container${id}.unmapDma`);
        const all = (req.flags & 2) !== 0;
        const end = req.iova + req.size;
        let bytes = 0n;
        for (let i = maps.length - 1; i >= 0; i--) {
          const m = maps[i]!; // i counts down from the end; the splice below only moves later entries
          const inside = all || (m.iova >= req.iova && m.iova + m.size <= end);
          const bisects = !all && !inside && m.iova < end && req.iova < m.iova + m.size;
          if (bisects) fail('EINVAL', 'VFIO_IOMMU_UNMAP_DMA', 'bisects a mapping');
          if (inside) {
            bytes += m.size;
            maps.splice(i, 1);
          }
        }
        return bytes;
      },
      close: async () => {
        calls.push(`container${id}.close`);
        openFds.delete(`container${id}`);
      },
      attachGroup: () => {
        groups++;
      },
      detachGroup: () => {
        groups--;
        if (groups === 0) iommuSet = false;
      },
    };
    return c;
  };

  const makeDevice = (): Device => ({
    name: FAKE_BDF,
    group: FAKE_GROUP,
    info: async () => ({ flags: 2, numRegions: 9, numIrqs: 5 }),
    regionInfo: async (index) => {
      if (index === 8) fail('EINVAL', 'VFIO_DEVICE_GET_REGION_INFO', 'no VGA');
      return {
        index,
        flags: index === 0 || index === 7 ? 3 : 0,
        size: index === 0 ? 4096n : index === 7 ? 256n : 0n,
        offset: BigInt(index) << 40n,
        capabilities: [],
      };
    },
    irqInfo: async (index) => {
      const count = irqCounts[index] ?? fail('EINVAL', 'VFIO_DEVICE_GET_IRQ_INFO', 'bad index');
      return { index, flags: index === 0 ? 1 | 2 | 4 : 1 | 8, count };
    },
    setIrqs: async (req: IrqSetRequest) => {
      calls.push(`device.setIrqs(${req.index},${req.action},${req.start},${req.count})`);
      const vectors = irqCounts[req.index] ?? fail('EINVAL', 'VFIO_DEVICE_SET_IRQS', 'bad index');
      if (req.start + req.count > vectors) fail('EINVAL', 'VFIO_DEVICE_SET_IRQS', 'range');
      if ((req.action & 8 || req.action & 16) && req.index !== 0) fail('EINVAL', 'VFIO_DEVICE_SET_IRQS', 'mask on edge');
      if (req.action & 16) host.intxMasked = false;
      if (req.action & 8) host.intxMasked = true;
      if (req.data.type === 'eventfd') {
        const slots = wired.get(req.index) ?? new Array(vectors).fill(null);
        for (const [i, fd] of req.data.fds.entries()) slots[req.start + i] = fd as FakeEventFd | null;
        wired.set(req.index, slots);
        if (req.index === 0) host.intxMasked = false;
      } else if (req.data.type === 'none' && req.action & 32 && req.count === 0) {
        wired.delete(req.index);
      }
    },
    reset: async () => fail('EINVAL', 'VFIO_DEVICE_RESET', 'no reset'),
    read: async (index, offset, size) => {
      if (index !== 0 || offset + BigInt(size) > 4096n) fail('EINVAL', 'pread', 'out of range');
      return new Uint8Array(size).fill(0xab);
    },
    write: async (index, offset, data) => {
      calls.push(`device.write(${index},${offset},${data.length})`);
    },
    close: async () => {
      calls.push('device.close');
      openFds.delete('device');
    },
  });

  const host: FakeHost = {
    backend: 'sim',
    pageSize: 4096,
    calls,
    wired,
    openFds,
    intxMasked: false,
    fire(index, vector, times = 1) {
      const fd = wired.get(index)?.[vector];
      if (!fd) return;
      if (index === 0) {
        if (host.intxMasked) return;
        host.intxMasked = true; // AUTOMASKED: one delivery until unmasked
        fd.count += 1;
        return;
      }
      fd.count += times;
    },
    hostInfo: async () => {
      throw new Error('not modelled');
    },
    topology: async () => ({
      groups: [{ id: FAKE_GROUP, devices: [FAKE_BDF], viable: true, blockers: [] }],
      devices: [
        {
          bdf: FAKE_BDF,
          vendorId: 0x1234,
          deviceId: 0x11e8,
          subsystemVendorId: 0,
          subsystemDeviceId: 0,
          classCode: 0xff0000,
          driver: 'vfio-pci',
          driverOverride: 'vfio-pci',
          numaNode: -1,
          iommuGroup: FAKE_GROUP,
        },
      ],
    }),
    owners: async () => [],
    irqLines: async () => [],
    bindDriver: async () => undefined,
    openContainer: async () => {
      const id = nextFd++;
      calls.push(`openContainer -> ${id}`);
      openFds.add(`container${id}`);
      return makeContainer(id);
    },
    openIommufd: async () => {
      throw new VfioError('ENOENT', 'open', '/dev/iommu does not exist');
    },
    openDeviceCdev: async (bdf) => {
      throw new VfioError('ENOENT', 'open', `no cdev for ${bdf}`);
    },
    openGroup: async (id) => {
      calls.push(`openGroup(${id})`);
      if (id !== FAKE_GROUP) throw new VfioError('ENOENT', 'open', `/dev/vfio/${id} does not exist`);
      if (groupOpen) fail('EBUSY', 'open', 'group already open');
      groupOpen = true;
      openFds.add('group');
      let container: (Container & { attachGroup(): void; detachGroup(): void }) | null = null;
      const g: Group = {
        id,
        status: async () => ({ viable: true, containerSet: container !== null }),
        setContainer: async (c) => {
          calls.push('group.setContainer');
          container = c as typeof container;
          container?.attachGroup();
        },
        unsetContainer: async () => {
          calls.push('group.unsetContainer');
          container?.detachGroup();
          container = null;
        },
        openDevice: async (name) => {
          calls.push(`group.openDevice(${name})`);
          if (name !== FAKE_BDF) fail('ENODEV', 'VFIO_GROUP_GET_DEVICE_FD', 'no such device');
          openFds.add('device');
          return makeDevice();
        },
        close: async () => {
          calls.push('group.close');
          groupOpen = false;
          openFds.delete('group');
        },
      };
      return g;
    },
    createEventFd: async () => new FakeEventFd(nextFd++),
    allocDmaBuffer: async (size): Promise<DmaBuffer> => {
      const vaddr = nextVaddr;
      nextVaddr += size + 0x1000n;
      openFds.add(`buffer${vaddr}`);
      return {
        vaddr,
        size,
        read: async (_o, n) => new Uint8Array(n),
        write: async () => undefined,
        free: async () => {
          openFds.delete(`buffer${vaddr}`);
        },
      };
    },
    drainEventFds: async (fds) => {
      calls.push(`drainEventFds(${fds.length})`);
      return Promise.all(fds.map((fd) => fd.drain()));
    },
    close: async () => undefined,
  };
  return host;
}
