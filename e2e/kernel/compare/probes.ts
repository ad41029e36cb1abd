/**
 * Behaviour probes run identically on the sim and on the real kernel (QEMU
 * guest), each answering with plain data or the errno of its failure, so the
 * two answers can be diffed: where they differ, the kernel is right and the
 * sim is wrong (or the probe found a bed difference worth naming). These go
 * beyond the conformance suite: edge cases found by looking, kept so the
 * comparison can be rerun (e2e/kernel/run.sh compare).
 *
 * Two sets: the legacy path (container + group + device fd: type1, or
 * iommufd's compat container in the 6.12 compat and cdev guests), and the
 * native iommufd path (IOAS + device cdev, `iommufd: …`), which runs where the
 * kernel offers /dev/iommu with the cdev and answers the same constant
 * elsewhere, so each guest's diff covers the paths its mode has.
 */
import type { CdevDevice, Device, EventFd, Host, Ioas, Iommufd, IovaRange } from '../../../packages/host/src/index.ts';
import { isVfioError } from '../../../packages/host/src/index.ts';
import { discoverBed } from '../../../packages/host/src/conformance/index.ts';
import * as U from '../../../packages/uapi/src/index.ts';

type Json = unknown;
export type Probe = (h: Host, bed: Bed) => Promise<Json>;
interface Bed {
  edu: { bdf: string; group: number }[];
}

const RW = U.VFIO_DMA_MAP_FLAG_READ | U.VFIO_DMA_MAP_FLAG_WRITE;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};

async function attempt(fn: () => Promise<Json>): Promise<Json> {
  try {
    const v = await fn();
    return v === undefined ? 'ok' : v;
  } catch (e) {
    if (isVfioError(e)) return { errno: e.errno };
    return { error: String(e) };
  }
}

/** Run `body` with a fresh container+group(+TYPE1v2)+device; everything is closed after. */
async function withDevice(
  h: Host,
  edu: { bdf: string; group: number },
  body: (d: Device, c: Awaited<ReturnType<Host['openContainer']>>) => Promise<Json>,
  type = U.VFIO_TYPE1v2_IOMMU,
) {
  const c = await h.openContainer();
  const g = await h.openGroup(edu.group);
  try {
    await g.setContainer(c);
    await c.setIommu(type);
    const d = await g.openDevice(edu.bdf);
    try {
      return await body(d, c);
    } finally {
      await d.close();
    }
  } finally {
    await g.close();
    await c.close();
  }
}

async function drainFor(e: EventFd, ms: number): Promise<number> {
  let n = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    n += await e.drain();
    await sleep(10);
  }
  return n + (await e.drain());
}

const trigger = (index: number, fds: (EventFd | null)[]) => ({
  index,
  start: 0,
  count: fds.length,
  action: U.VFIO_IRQ_SET_ACTION_TRIGGER,
  data: { type: 'eventfd' as const, fds },
});
const none = (index: number, action: number, count = 1) => ({ index, start: 0, count, action, data: { type: 'none' as const } });
async function setCommand(d: Device, set: number, clear = 0) {
  const cur = new DataView((await d.read(7, 4n, 2)).buffer).getUint16(0, true);
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, (cur | set) & ~clear, true);
  await d.write(7, 4n, b);
}

/** mappings in use, from DMA_AVAIL (the limit differs: the guest lowers dma_entry_limit) */
async function entriesUsed(c: Awaited<ReturnType<Host['openContainer']>>): Promise<number> {
  const fresh = await entriesLimit;
  return fresh - ((await c.iommuInfo()).dmaAvail ?? 0);
}
let entriesLimit: Promise<number> = Promise.resolve(65535);

export const PROBES: Record<string, Probe> = {
  'CHECK_EXTENSION 1..10': async (h) => {
    const c = await h.openContainer();
    const out: Record<number, Json> = {};
    for (let i = 1; i <= 10; i++) out[i] = await attempt(() => c.checkExtension(i));
    await c.close();
    return out;
  },
  'IOMMU_GET_INFO flags and page sizes': async (h, b) =>
    withDevice(h, b.edu[0]!, async (_d, c) => {
      const i = await c.iommuInfo();
      return {
        flags: i.flags,
        iovaPgsizes: `0x${i.iovaPgsizes.toString(16)}`,
        ranges: i.iovaRanges.map((r) => `0x${r.start.toString(16)}-0x${r.end.toString(16)}`),
      };
    }),
  DEVICE_GET_INFO: async (h, b) => withDevice(h, b.edu[0]!, (d) => d.info()),
  'GET_REGION_INFO 0..9': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const out: Json[] = [];
      for (let i = 0; i <= 9; i++)
        out.push(
          await attempt(async () => {
            const r = await d.regionInfo(i);
            return { ...r, size: `0x${r.size.toString(16)}`, offset: `0x${r.offset.toString(16)}` };
          }),
        );
      return out;
    }),
  'GET_IRQ_INFO 0..5': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const out: Json[] = [];
      for (let i = 0; i <= 5; i++) out.push(await attempt(() => d.irqInfo(i)));
      return out;
    }),
  'config space through vfio: header fields and capabilities': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const cfg = await d.read(7, 0n, 256);
      const v = new DataView(cfg.buffer);
      const x = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;
      return {
        ids: x(v.getUint32(0, true), 8),
        command: x(v.getUint16(4, true), 4),
        status: x(v.getUint16(6, true), 4),
        revisionClass: x(v.getUint32(8, true), 8),
        bars: [0, 1, 2, 3, 4, 5].map((i) => x(v.getUint32(0x10 + 4 * i, true), 8)),
        subsystem: x(v.getUint32(0x2c, true), 8),
        romBar: x(v.getUint32(0x30, true), 8),
        capPtr: x(v.getUint8(0x34), 2),
        interruptLinePin: [v.getUint8(0x3c), v.getUint8(0x3d)],
        capabilities: hex(cfg.subarray(0x40)),
      };
    }),
  'BAR0 reads of 1, 2, 3, 4, 8 bytes at 0 (liveness set to ~0x12345678); 8 at 0x80 (DMA source 0x1000)': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      await d.write(0, 4n, u32(0x12345678));
      await d.write(0, 0x80n, u32(0x1000));
      const out: Record<string, Json> = {};
      for (const n of [1, 2, 3, 4, 8]) out[`@0x0 x${n}`] = await attempt(async () => hex(await d.read(0, 0n, n)));
      out['@0x80 x8'] = await attempt(async () => hex(await d.read(0, 0x80n, 8)));
      return out;
    }),
  'BAR0 2-byte write to liveness, then 4-byte read': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      await d.write(0, 4n, u32(0x11223344));
      const w = await attempt(() => d.write(0, 4n, Uint8Array.of(0xaa, 0xbb)));
      return { write: w, read: hex(await d.read(0, 4n, 4)) };
    }),
  'region edges: BAR0 read crossing its end; ROM and VGA reads; zero-length read': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => ({
      crossEnd: await attempt(async () => hex(await d.read(0, 0xffffen, 4))),
      rom: await attempt(async () => hex(await d.read(6, 0n, 4))),
      vga: await attempt(async () => hex(await d.read(8, 0n, 4))),
      zero: await attempt(async () => hex(await d.read(0, 0n, 0))),
      configAt255x2: await attempt(async () => hex(await d.read(7, 255n, 2))),
    })),
  'command register: INTx Disable write reads back; status Interrupt bit after a raise with no IRQ wired': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const before = hex(await d.read(7, 4n, 4));
      await setCommand(d, 0x400);
      const withDisable = hex(await d.read(7, 4n, 4));
      await setCommand(d, 0, 0x400);
      await d.write(0, 0x60n, u32(1));
      await sleep(100);
      const afterRaise = hex(await d.read(7, 4n, 4));
      await d.write(0, 0x64n, u32(1));
      await sleep(100);
      return { before, withDisable, afterRaise, afterAck: hex(await d.read(7, 4n, 4)) };
    }),
  'SET_IRQS: an fd that is not an eventfd; MSI count 2; BOOL trigger on a disabled index; UNMASK BOOL false': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const notEventfd = { fd: 1, drain: async () => 0, signal: async () => undefined, close: async () => undefined } as EventFd;
      const e1 = await h.createEventFd();
      const e2 = await h.createEventFd();
      const r = {
        notEventfd: await attempt(() => d.setIrqs(trigger(0, [notEventfd]))),
        msiCount2: await attempt(() => d.setIrqs(trigger(1, [e1, e2]))),
        boolTriggerDisabled: await attempt(() =>
          d.setIrqs({ index: 0, start: 0, count: 1, action: U.VFIO_IRQ_SET_ACTION_TRIGGER, data: { type: 'bool', values: [true] } }),
        ),
        enable: await attempt(() => d.setIrqs(trigger(0, [e1]))),
        unmaskBoolFalse: await attempt(() =>
          d.setIrqs({ index: 0, start: 0, count: 1, action: U.VFIO_IRQ_SET_ACTION_UNMASK, data: { type: 'bool', values: [false] } }),
        ),
        reenableSameIndex: await attempt(() => d.setIrqs(trigger(0, [e2]))),
        triggerNullFd: await attempt(() => d.setIrqs(trigger(0, [null]))),
        stillEnabledLoopback: await attempt(() => d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_TRIGGER))),
      };
      await attempt(() => d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0)));
      await e1.close();
      await e2.close();
      return r;
    }),
  'MSI raised without Bus Master, then with it': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const e = await h.createEventFd();
      await d.setIrqs(trigger(1, [e]));
      await setCommand(d, 0, 0x4);
      await d.write(0, 0x60n, u32(1));
      const withoutBm = await drainFor(e, 400);
      await d.write(0, 0x64n, u32(1));
      await setCommand(d, 0x4);
      await d.write(0, 0x60n, u32(1));
      const withBm = await drainFor(e, 400);
      await d.write(0, 0x64n, u32(1));
      await setCommand(d, 0, 0x4);
      await d.setIrqs(none(1, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0));
      await e.close();
      return { withoutBm, withBm };
    }),
  'INTx level already asserted when the trigger is wired': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      await d.write(0, 0x60n, u32(1));
      await sleep(100);
      const e = await h.createEventFd();
      await d.setIrqs(trigger(0, [e]));
      const atWire = await drainFor(e, 300);
      await d.write(0, 0x60n, u32(2));
      const reRaise = await drainFor(e, 300);
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_UNMASK));
      const afterUnmask = await drainFor(e, 300);
      await d.write(0, 0x64n, u32(3));
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_UNMASK));
      await d.write(0, 0x60n, u32(1));
      const afterAckAndRaise = await drainFor(e, 300);
      await d.write(0, 0x64n, u32(1));
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0));
      await e.close();
      return { atWire, reRaise, afterUnmask, afterAckAndRaise };
    }),
  'MSI enable as seen in the virtual config space': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const cap = (await d.read(7, 0x34n, 1))[0]!;
      const ctl = async () => hex(await d.read(7, BigInt(cap + 2), 2));
      const e = await h.createEventFd();
      const before = await ctl();
      await d.setIrqs(trigger(1, [e]));
      const enabled = await ctl();
      const w = new Uint8Array(2);
      new DataView(w.buffer).setUint16(0, 0x0081, true);
      await d.write(7, BigInt(cap + 2), w);
      const userWroteEnableWhileEnabled = await ctl();
      await d.setIrqs(none(1, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0));
      const disabled = await ctl();
      new DataView(w.buffer).setUint16(0, 0x0080, true);
      await d.write(7, BigInt(cap + 2), w);
      await e.close();
      return { capAt: cap, before, enabled, userWroteEnableWhileEnabled, disabled };
    }),
  'MSI Enable written by the user in config space (no SET_IRQS): read back, and INTx still delivered': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const cap = (await d.read(7, 0x34n, 1))[0]!;
      const ctlAt = BigInt(cap + 2);
      const ctl = new DataView((await d.read(7, ctlAt, 2)).buffer).getUint16(0, true);
      const w = new Uint8Array(2);
      new DataView(w.buffer).setUint16(0, ctl | 1, true);
      await d.write(7, ctlAt, w);
      const readBack = hex(await d.read(7, ctlAt, 2));
      const e = await h.createEventFd();
      await d.setIrqs(trigger(0, [e]));
      await d.write(0, 0x60n, u32(1));
      const intx = await drainFor(e, 400);
      await d.write(0, 0x64n, u32(1));
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0));
      new DataView(w.buffer).setUint16(0, ctl & ~1, true);
      await d.write(7, ctlAt, w);
      await e.close();
      return { readBack, intx };
    }),
  'BAR sizing through the virtual config space; BAR0 access with Memory Space disabled': async (h, b) =>
    withDevice(h, b.edu[0]!, async (d) => {
      const bar0 = await d.read(7, 0x10n, 4);
      await d.write(7, 0x10n, u32(0xffffffff));
      const sized = hex(await d.read(7, 0x10n, 4));
      await d.write(7, 0x10n, bar0);
      const restored = hex(await d.read(7, 0x10n, 4)) === hex(bar0);
      await d.write(7, 0x14n, u32(0xffffffff));
      const bar1Sized = hex(await d.read(7, 0x14n, 4));
      await setCommand(d, 0, 0x2);
      const readWithoutMemory = await attempt(async () => hex(await d.read(0, 0n, 4)));
      const writeWithoutMemory = await attempt(() => d.write(0, 4n, u32(1)));
      await setCommand(d, 0x2);
      return { sized, restored, bar1Sized, readWithoutMemory, writeWithoutMemory, readAfter: hex(await d.read(0, 0n, 4)) };
    }),
  'DMA unmap edge cases (v2)': async (h, b) =>
    withDevice(h, b.edu[0]!, async (_d, c) => {
      const page = BigInt(h.pageSize);
      const buf = await h.allocDmaBuffer(4n * page);
      const r = {
        unmapAllEmpty: await attempt(async () => String(await c.unmapDma({ iova: 0n, size: 0n, flags: U.VFIO_DMA_UNMAP_FLAG_ALL }))),
        mapIova0: await attempt(() => c.mapDma({ vaddr: buf.vaddr, iova: 0n, size: page, flags: RW })),
        unmapBiggerThanMapping: await attempt(async () => String(await c.unmapDma({ iova: 0n, size: 16n * page, flags: 0 }))),
        map2: await attempt(() => c.mapDma({ vaddr: buf.vaddr, iova: 0x100000n, size: 2n * page, flags: RW })),
        unmapTail: await attempt(async () => String(await c.unmapDma({ iova: 0x100000n + page, size: page, flags: 0 }))),
        unmapStartingBefore: await attempt(async () => String(await c.unmapDma({ iova: 0x100000n - page, size: 2n * page, flags: 0 }))),
        samePageTwice: await attempt(() => c.mapDma({ vaddr: buf.vaddr, iova: 0x200000n, size: 2n * page, flags: RW })),
        lockedPages: ((await h.owners()).find((o) => o.self)?.lockedBytes ?? 0) / h.pageSize,
        entriesUsed: await entriesUsed(c),
      };
      await c.unmapDma({ iova: 0n, size: 0n, flags: U.VFIO_DMA_UNMAP_FLAG_ALL });
      await buf.free();
      return r;
    }),
  'DMA unmap edge cases (TYPE1 v1)': async (h, b) =>
    withDevice(
      h,
      b.edu[0]!,
      async (_d, c) => {
        const page = BigInt(h.pageSize);
        const buf = await h.allocDmaBuffer(4n * page);
        await c.mapDma({ vaddr: buf.vaddr, iova: 0x100000n, size: 4n * page, flags: RW });
        const r = {
          unmapMiddlePage: await attempt(async () => String(await c.unmapDma({ iova: 0x100000n + page, size: page, flags: 0 }))),
          unmapAll: await attempt(async () => String(await c.unmapDma({ iova: 0n, size: 0n, flags: U.VFIO_DMA_UNMAP_FLAG_ALL }))),
          entriesUsed: await entriesUsed(c),
        };
        await attempt(() => c.unmapDma({ iova: 0x100000n, size: 4n * page, flags: 0 }));
        await buf.free();
        return r;
      },
      U.VFIO_TYPE1_IOMMU,
    ),
  'a freed buffer cannot be mapped': async (h, b) =>
    withDevice(h, b.edu[0]!, async (_d, c) => {
      const buf = await h.allocDmaBuffer(BigInt(h.pageSize));
      await buf.free();
      return attempt(() => c.mapDma({ vaddr: buf.vaddr, iova: 0x100000n, size: buf.size, flags: RW }));
    }),
  'device fd opened twice; group closed while its device is open': async (h, b) => {
    const edu = b.edu[0]!;
    const c = await h.openContainer();
    const g = await h.openGroup(edu.group);
    await g.setContainer(c);
    await c.setIommu(U.VFIO_TYPE1v2_IOMMU);
    const d1 = await g.openDevice(edu.bdf);
    const second = await attempt(async () => {
      const d2 = await g.openDevice(edu.bdf);
      await d2.close();
    });
    await g.close();
    const reopen = await attempt(async () => {
      const g2 = await h.openGroup(edu.group);
      const s = await g2.status();
      await g2.close();
      return s;
    });
    const deviceStillWorks = await attempt(async () => hex(await d1.read(0, 0n, 4)));
    await d1.close();
    const reopenAfter = await attempt(async () => {
      const g2 = await h.openGroup(edu.group);
      const s = await g2.status();
      await g2.close();
      return s;
    });
    await c.close();
    return { second, reopen, deviceStillWorks, reopenAfter };
  },
  'UNSET_CONTAINER with a device open; the group status after; the device still answers': async (h, b) => {
    const edu = b.edu[0]!;
    const c = await h.openContainer();
    const g = await h.openGroup(edu.group);
    try {
      await g.setContainer(c);
      await c.setIommu(U.VFIO_TYPE1v2_IOMMU);
      const d = await g.openDevice(edu.bdf);
      try {
        return {
          unset: await attempt(() => g.unsetContainer()),
          status: await g.status(),
          openDeviceAfter: await attempt(async () => (await g.openDevice(edu.bdf)).close()),
          deviceStillWorks: await attempt(async () => hex(await d.read(0, 0n, 4))),
        };
      } finally {
        await d.close();
      }
    } finally {
      await g.close();
      await c.close();
    }
  },
  'DmaBuffer: size of a 100-byte allocation, access past it, after free, second free': async (h) => {
    const buf = await h.allocDmaBuffer(100n);
    const r = {
      size: String(buf.size),
      readAt200: await attempt(async () => hex(await buf.read(200n, 1))),
      free: await attempt(() => buf.free()),
      readAfterFree: await attempt(async () => hex(await buf.read(0n, 1))),
      secondFree: await attempt(() => buf.free()),
    };
    return r;
  },
};

// ---- the native iommufd path: /dev/iommu, an IOAS, the device's cdev ----

const IOAS_RW = U.IOMMU_IOAS_MAP_READABLE | U.IOMMU_IOAS_MAP_WRITEABLE;
const U64_MAX = (1n << 64n) - 1n;
const hex64 = (v: bigint) => `0x${v.toString(16)}`;
const rangesView = (r: { ranges: IovaRange[]; alignment: bigint }) => ({
  ranges: r.ranges.map((x) => `${hex64(x.start)}-${hex64(x.end)}`),
  alignment: hex64(r.alignment),
});
const NO_NATIVE = 'no /dev/iommu with the VFIO device cdev on this kernel';

/** The probe on a kernel with iommufd and the cdev; elsewhere the same constant on both sides. */
function native(body: Probe): Probe {
  return async (h, b) => {
    const { uapi } = await h.hostInfo();
    return uapi.iommufd && uapi.cdev ? body(h, b) : NO_NATIVE;
  };
}

/** VmLck and VmPin of this process in pages, as owners() reads them (null: not an owner now). */
async function selfPages(h: Host): Promise<Json> {
  const self = (await h.owners()).find((o) => o.self);
  return self ? { locked: self.lockedBytes / h.pageSize, pinned: self.pinnedBytes / h.pageSize, via: self.via } : null;
}

/** /dev/iommu + an IOAS + the edu's cdev, bound (and attached unless `attach` is false); closed after, device first. */
async function withCdev(
  h: Host,
  edu: { bdf: string; group: number },
  body: (d: CdevDevice, ioas: Ioas, fd: Iommufd) => Promise<Json>,
  attach = true,
): Promise<Json> {
  const fd = await h.openIommufd();
  try {
    const ioas = await fd.allocIoas();
    const d = await h.openDeviceCdev(edu.bdf);
    try {
      await d.bind(fd);
      if (attach) await d.attach(ioas.id);
      return await body(d, ioas, fd);
    } finally {
      await d.close();
    }
  } finally {
    // destroys what is left in it (the IOAS and its mappings)
    await fd.close();
  }
}

export const NATIVE_PROBES: Record<string, Probe> = {
  'iommufd: the uAPIs hostInfo reports; /dev/iommu and the cdev opened': async (h, b) => ({
    uapi: (await h.hostInfo()).uapi,
    openIommufd: await attempt(async () => (await h.openIommufd()).close()),
    openDeviceCdev: await attempt(async () => (await h.openDeviceCdev(b.edu[0]!.bdf)).close()),
  }),
  'iommufd: IOAS and cdev objects — ids, IOVA ranges before and after attach, ioctls before bind, bind twice, bogus attach, destroy while attached':
    native(async (h, b) => {
      const fd = await h.openIommufd();
      const out: Record<string, Json> = {};
      try {
        const ioas = await fd.allocIoas();
        out.ioasId = ioas.id;
        out.rangesFresh = await attempt(async () => rangesView(await ioas.iovaRanges()));
        const d = await h.openDeviceCdev(b.edu[0]!.bdf);
        try {
          out.group = d.group === b.edu[0]!.group;
          out.infoBeforeBind = await attempt(() => d.info());
          out.devid = await attempt(() => d.bind(fd));
          out.bindTwice = await attempt(() => d.bind(fd));
          out.info = await attempt(() => d.info());
          out.attachBogus = await attempt(() => d.attach(0xdead));
          out.ptId = await attempt(() => d.attach(ioas.id));
          out.rangesAttached = await attempt(async () => rangesView(await ioas.iovaRanges()));
          out.destroyAttached = await attempt(() => ioas.destroy());
          out.owner = await selfPages(h);
          out.detach = await attempt(() => d.detach());
          out.rangesDetached = await attempt(async () => rangesView(await ioas.iovaRanges()));
          out.destroyDetached = await attempt(() => ioas.destroy());
        } finally {
          await d.close();
        }
      } finally {
        await fd.close();
      }
      return out;
    }),
  'iommufd: IOAS_MAP and IOAS_UNMAP edge cases, a device attached': native(async (h, b) =>
    withCdev(h, b.edu[0]!, async (_d, ioas) => {
      const page = BigInt(h.pageSize);
      const buf = await h.allocDmaBuffer(4n * page);
      const map = (iova: bigint, size: bigint, flags = IOAS_RW, vaddr = buf.vaddr) => attempt(() => ioas.map({ vaddr, iova, size, flags }));
      const unmap = (iova: bigint, size: bigint) => attempt(async () => hex64(await ioas.unmap(iova, size)));
      const r = {
        unknownFlag: await map(0x100000n, page, IOAS_RW | (1 << 3)),
        noAccessFlag: await map(0x100000n, page, 0),
        size0: await map(0x100000n, 0n),
        unalignedIova: await map(0x100000n + page / 2n, page),
        wrap: await map(U64_MAX - page + 1n, 2n * page),
        beyondAperture: await map(0x8000000000n, page),
        msiWindow: await map(0xfee00000n, page),
        vaddr0: await map(0x100000n, page, IOAS_RW, 0n),
        map2: await map(0x100000n, 2n * page),
        overlap: await map(0x100000n + page, 2n * page),
        samePageTwice: await map(0x200000n, 2n * page),
        pages: await selfPages(h),
        unmapBisect: await unmap(0x100000n + page, page),
        unmapEmpty: await unmap(0x400000n, page),
        unmapUnaligned: await unmap(0x100000n + 1n, page),
        unmapCovering: await unmap(0n, 0x200000n),
        unmapAll: await unmap(0n, U64_MAX),
        unmapAllEmpty: await unmap(0n, U64_MAX),
        pagesAfter: await selfPages(h),
      };
      await buf.free();
      return r;
    }),
  ),
  'iommufd: maps before the device is attached — pins, and what a mapping in a reserved or sub-page range does to attach': native(
    async (h, b) =>
      withCdev(
        h,
        b.edu[0]!,
        async (d, ioas) => {
          const page = BigInt(h.pageSize);
          const buf = await h.allocDmaBuffer(4n * page);
          const r: Record<string, Json> = {
            map2: await attempt(() => ioas.map({ vaddr: buf.vaddr, iova: 0x100000n, size: 2n * page, flags: IOAS_RW })),
            pagesUnattached: await selfPages(h),
            mapMsiWindow: await attempt(() => ioas.map({ vaddr: buf.vaddr, iova: 0xfee00000n, size: page, flags: IOAS_RW })),
            mapSubPage: await attempt(() => ioas.map({ vaddr: buf.vaddr, iova: 0x300000n, size: page / 2n, flags: IOAS_RW })),
          };
          r.attachWithBoth = await attempt(() => d.attach(ioas.id));
          r.unmapMsiWindow = await attempt(async () => hex64(await ioas.unmap(0xfee00000n, page)));
          r.attachWithSubPage = await attempt(() => d.attach(ioas.id));
          r.unmapSubPage = await attempt(async () => hex64(await ioas.unmap(0x300000n, page / 2n)));
          r.attach = await attempt(() => d.attach(ioas.id));
          r.pagesAttached = await selfPages(h);
          r.unmapAll = await attempt(async () => hex64(await ioas.unmap(0n, U64_MAX)));
          await buf.free();
          return r;
        },
        false,
      ),
  ),
  'iommufd: the cdev against the group path — group open while bound, a second cdev open, bind while the group holds the device': native(
    async (h, b) => {
      const edu = b.edu[0]!;
      const openCloseGroup = () =>
        attempt(async () => {
          const g = await h.openGroup(edu.group);
          await g.close();
        });
      const fd = await h.openIommufd();
      const out: Record<string, Json> = {};
      try {
        const d = await h.openDeviceCdev(edu.bdf);
        try {
          out.groupBeforeBind = await openCloseGroup();
          await d.bind(fd);
          out.groupWhileBound = await openCloseGroup();
          out.secondCdev = await attempt(async () => {
            const d2 = await h.openDeviceCdev(edu.bdf);
            try {
              return { bind: await attempt(() => d2.bind(fd)) };
            } finally {
              await d2.close();
            }
          });
        } finally {
          await d.close();
        }
        out.groupAfterCdevClosed = await openCloseGroup();
        // the legacy path holds the device: its cdev opens, but may not bind
        out.whileGroupHoldsDevice = await attempt(() =>
          withDevice(h, edu, async () => {
            const d3 = await h.openDeviceCdev(edu.bdf);
            try {
              return { bind: await attempt(() => d3.bind(fd)) };
            } finally {
              await d3.close();
            }
          }),
        );
      } finally {
        await fd.close();
      }
      return out;
    },
  ),
  'iommufd: DEVICE_GET_INFO, INTx and reset through the cdev': native(async (h, b) =>
    withCdev(h, b.edu[0]!, async (d) => {
      const e = await h.createEventFd();
      await d.setIrqs(trigger(0, [e]));
      await d.write(0, 0x60n, u32(1));
      const intx = await drainFor(e, 400);
      await d.write(0, 0x64n, u32(1));
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_UNMASK));
      await d.setIrqs(none(0, U.VFIO_IRQ_SET_ACTION_TRIGGER, 0));
      await e.close();
      return { info: await d.info(), intxInfo: await d.irqInfo(0), intx, reset: await attempt(() => d.reset()) };
    }),
  ),
};

export async function runProbes(h: Host): Promise<Record<string, Json>> {
  const bed = await discoverBed(h);
  entriesLimit = Promise.resolve(bed.dmaEntryLimit);
  const out: Record<string, Json> = {};
  for (const [name, probe] of Object.entries({ ...PROBES, ...NATIVE_PROBES })) out[name] = await attempt(() => probe(h, bed));
  return out;
}
