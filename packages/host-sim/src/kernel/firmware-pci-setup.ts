/**
 * What the platform firmware leaves in every function's config space at
 * boot, before Linux runs: the PCI resource assignment and device init of
 * SeaBIOS on QEMU q35 (src/fw/pciinit.c), the firmware of the e2e/kernel
 * guest. Linux 6.1 keeps these assignments, and vfio-pci shows them to the
 * user: the guest read command 0x0103 (I/O, memory, SERR), BAR0 0xfe400000
 * and interrupt line 10 on an edu it had never touched.
 *
 * - BARs: per root bus tree, sized from the function's regions; the
 *   entries of each bus are sorted by alignment, then size, largest first;
 *   a bridge's window (1 MiB aligned) becomes one entry on its parent bus.
 *   32-bit memory is packed downwards from below the IOAPIC (0xfec00000),
 *   prefetchable below (or above, whichever aligns better) the
 *   non-prefetchable; when that does not fit, 64-bit BARs move above 4 GiB.
 *   I/O from 0xc000.
 * - interrupt line: the q35 slot/pin rotation onto PIRQs routed to IRQ 10,
 *   10, 11, 11 (for a function that has an INTx pin).
 * - command: I/O, memory and SERR enabled on every function.
 */
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_BRIDGE_CONTROL,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_SERR,
  PCI_INTERRUPT_LINE,
  PCI_IO_BASE,
  PCI_IO_LIMIT,
  PCI_MEMORY_BASE,
  PCI_MEMORY_LIMIT,
  PCI_PREF_BASE_UPPER32,
  PCI_PREF_LIMIT_UPPER32,
  PCI_PREF_MEMORY_BASE,
  PCI_PREF_MEMORY_LIMIT,
  PCI_ROM_ADDRESS,
  PCI_SECONDARY_BUS,
} from '../devices/config-space/pci-regs.ts';
import { PCI_COMMAND } from './pci-config.ts';
import type { SimPciFunction } from './pci-function.ts';

const PCIMEM_START = 0xc0000000n; // above q35's MMCONFIG window at 0xb0000000
const PCIMEM_END = 0xfec00000n; // the IOAPIC
const PCIMEM64_START = 0x8000000000n;
const IO_BASE = 0xc000n;
const BRIDGE_MEM_MIN = 0x100000n;
const BRIDGE_IO_MIN = 0x1000n;
const DEVICE_MEM_MIN = 0x1000n;
const PCI_IRQS = [10, 10, 11, 11];
const PCI_BRIDGE_CTL_SERR = 0x02;

type RegionType = 'io' | 'mem' | 'prefmem';
const TYPES: RegionType[] = ['io', 'mem', 'prefmem'];

interface Entry {
  fn: SimPciFunction;
  /** BAR index, 6 for the ROM, -1 for a bridge window */
  bar: number;
  type: RegionType;
  size: bigint;
  align: bigint;
  is64: boolean;
}

interface Bus {
  bridge: SimPciFunction | null;
  regions: Record<RegionType, Entry[]>;
  base: Record<RegionType, bigint>;
}

const busOf = (fn: SimPciFunction) => parseInt(fn.bdf.slice(5, 7), 16);
const slotOf = (fn: SimPciFunction) => parseInt(fn.bdf.slice(8, 10), 16);
const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;
const alignDown = (v: bigint, a: bigint) => (v / a) * a;
const sum = (es: Entry[]) => es.reduce((s, e) => s + e.size, 0n);
const align = (es: Entry[]) => es[0]?.align ?? 1n;

/** pci_region_create_entry(): alignment first, then size, largest first; stable otherwise */
function insert(list: Entry[], e: Entry): void {
  const at = list.findIndex((p) => p.align < e.align || (p.align === e.align && p.size < e.size));
  list.splice(at < 0 ? list.length : at, 0, e);
}

function newBus(bridge: SimPciFunction | null): Bus {
  return { bridge, regions: { io: [], mem: [], prefmem: [] }, base: { io: 0n, mem: 0n, prefmem: 0n } };
}

export function firmwarePciSetup(fns: Iterable<SimPciFunction>): void {
  const all = [...fns];
  const buses = new Map<number, Bus>([[0, newBus(null)]]);
  for (const fn of all) if (fn.isBridge) buses.set(fn.cfg.read(PCI_SECONDARY_BUS, 1), newBus(fn));
  // resources of every root bus go to bus 0
  const busFor = (n: number) => buses.get(n) ?? buses.get(0)!;

  for (const fn of all) {
    const bus = busFor(busOf(fn));
    const sizes = new Map(fn.model.regions().map((r) => [r.index, r.size]));
    for (let bar = 0; bar <= 6; bar++) {
      if (fn.isBridge && bar >= 2 && bar < 6) continue;
      let size = sizes.get(bar) ?? 0n;
      if (size === 0n) continue;
      const reg = bar === 6 ? 0 : fn.cfg.read(PCI_BASE_ADDRESS_0 + 4 * bar, 4);
      const type: RegionType =
        bar < 6 && reg & PCI_BASE_ADDRESS_SPACE_IO ? 'io' : bar < 6 && reg & PCI_BASE_ADDRESS_MEM_PREFETCH ? 'prefmem' : 'mem';
      const is64 = type !== 'io' && (reg & 0x6) === PCI_BASE_ADDRESS_MEM_TYPE_64;
      if (type !== 'io' && size < DEVICE_MEM_MIN) size = DEVICE_MEM_MIN;
      insert(bus.regions[type], { fn, bar, type, size, align: size, is64 });
      if (is64) bar++;
    }
  }

  // windows of the buses behind bridges, deepest bus number first
  for (const n of [...buses.keys()].sort((a, b) => b - a)) {
    const bus = buses.get(n)!;
    if (!bus.bridge) continue;
    const parent = busFor(busOf(bus.bridge));
    for (const t of TYPES) {
      const min = t === 'io' ? BRIDGE_IO_MIN : BRIDGE_MEM_MIN;
      const a = align(bus.regions[t]) > min ? align(bus.regions[t]) : min;
      const s = sum(bus.regions[t]);
      if (s === 0n) continue;
      insert(parent.regions[t], {
        fn: bus.bridge,
        bar: -1,
        type: t,
        size: alignUp(s, a),
        align: a,
        is64: t === 'prefmem' && bus.regions[t].every((e) => e.is64),
      });
    }
  }

  const root = buses.get(0)!;
  root.base.io = IO_BASE;
  if (!placeRootMem(root)) {
    // the 32-bit hole is too small: 64-bit BARs go above 4 GiB
    const high: Record<'mem' | 'prefmem', Entry[]> = { mem: [], prefmem: [] };
    for (const t of ['mem', 'prefmem'] as const) {
      high[t] = root.regions[t].filter((e) => e.is64);
      root.regions[t] = root.regions[t].filter((e) => !e.is64);
    }
    let base = PCIMEM64_START;
    for (const t of ['mem', 'prefmem'] as const) {
      base = alignUp(base, align(high[t]));
      mapEntries(buses, high[t], base);
      base += sum(high[t]);
    }
    // still too small: what does not fit stays unassigned (SeaBIOS would stop here)
    if (!placeRootMem(root)) root.regions.mem = root.regions.prefmem = [];
  }
  for (const [, bus] of [...buses.entries()].sort((a, b) => a[0] - b[0])) {
    for (const t of TYPES) mapEntries(buses, bus.regions[t], bus.base[t]);
  }

  for (const fn of all) initDevice(fn, all);
}

/** pci_bios_init_root_regions_mem(): false when the 32-bit hole cannot hold both */
function placeRootMem(root: Bus): boolean {
  let [end, start]: RegionType[] = ['prefmem', 'mem'];
  if (align(root.regions.mem) < align(root.regions.prefmem)) [end, start] = ['mem', 'prefmem'];
  root.base[end!] = alignDown(PCIMEM_END - sum(root.regions[end!]), align(root.regions[end!]));
  root.base[start!] = alignDown(root.base[end!] - sum(root.regions[start!]), align(root.regions[start!]));
  return root.base[start!] >= PCIMEM_START;
}

function mapEntries(buses: Map<number, Bus>, entries: Entry[], base: bigint): void {
  let at = base;
  for (const e of entries) {
    if (e.bar >= 0) setBar(e, at);
    else setWindow(buses, e, at);
    at += e.size;
  }
}

function setBar(e: Entry, addr: bigint): void {
  const off = e.bar === 6 ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * e.bar;
  e.fn.cfg.write(off, 4, Number(addr & 0xffffffffn));
  if (e.is64) e.fn.cfg.write(off + 4, 4, Number(addr >> 32n));
}

function setWindow(buses: Map<number, Bus>, e: Entry, addr: bigint): void {
  const cfg = e.fn.cfg;
  const secondary = buses.get(cfg.read(PCI_SECONDARY_BUS, 1))!;
  const type = e.type;
  secondary.base[type] = addr;
  const limit = addr + e.size - 1n;
  if (type === 'io') {
    cfg.write(PCI_IO_BASE, 1, Number(addr >> 8n) & 0xf0);
    cfg.write(PCI_IO_LIMIT, 1, Number(limit >> 8n) & 0xf0);
  } else if (type === 'mem') {
    cfg.write(PCI_MEMORY_BASE, 2, Number(addr >> 16n));
    cfg.write(PCI_MEMORY_LIMIT, 2, Number(limit >> 16n));
  } else {
    cfg.write(PCI_PREF_MEMORY_BASE, 2, Number(addr >> 16n) & 0xffff);
    cfg.write(PCI_PREF_MEMORY_LIMIT, 2, Number(limit >> 16n) & 0xffff);
    cfg.write(PCI_PREF_BASE_UPPER32, 4, Number(addr >> 32n));
    cfg.write(PCI_PREF_LIMIT_UPPER32, 4, Number(limit >> 32n));
  }
}

/** pci_bios_init_device(): interrupt line from the q35 PIRQ rotation, then I/O, memory and SERR on */
function initDevice(fn: SimPciFunction, all: SimPciFunction[]): void {
  const pin = fn.cfg.interruptPin();
  if (pin) {
    let addend = 0;
    let top = fn;
    for (let up = bridgeAbove(top, all); up; up = bridgeAbove(top, all)) {
      addend += slotOf(top);
      top = up;
    }
    const slot = slotOf(top);
    fn.cfg.write(PCI_INTERRUPT_LINE, 1, PCI_IRQS[(pin - 1 + addend + (slot <= 24 ? slot : 0)) & 3]!);
  }
  fn.cfg.write(PCI_COMMAND, 2, fn.cfg.command() | PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_SERR);
  if (fn.isBridge) fn.cfg.write(PCI_BRIDGE_CONTROL, 2, fn.cfg.read(PCI_BRIDGE_CONTROL, 2) | PCI_BRIDGE_CTL_SERR);
}

function bridgeAbove(fn: SimPciFunction, all: SimPciFunction[]): SimPciFunction | undefined {
  const bus = busOf(fn);
  return bus === 0 ? undefined : all.find((b) => b.isBridge && b.cfg.read(PCI_SECONDARY_BUS, 1) === bus);
}
