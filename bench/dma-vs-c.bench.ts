/**
 * DMA map cost through the real kernel, vfioscope's Host API (linux backend)
 * against plain C (e2e/kernel/dma-pair-cost.c), in one run, taking turns.
 * Both sides: a type1v2 container with one edu group set (vfioscope one edu,
 * C the other: a group is open in one process at a time), memory from an
 * anonymous private mmap, pair i = VFIO_IOMMU_MAP_DMA + UNMAP_DMA of SIZE at
 * IOVA 4 GiB + (i % 16) × SIZE over the same buffer; then one MAP_DMA of
 * 256 MiB of fresh memory (pinning every page) and its UNMAP.
 * Rows besides the Host API say where its time goes (each pair encodes its two structs):
 *   libc-sync     libc.ioctlPtr: one ffi-rs call on the event loop (the Host API's path for a
 *                 map or unmap of up to 2 MiB since #13, when no blocking call is in flight),
 *                 the struct copied through libc's argument page, its address passed as an integer
 *   ffi-u8array   the same call with the struct marshalled as a ffi-rs U8Array and errno: true,
 *                 as libc.ioctlPtr made it before #13's argument page
 *   libc-thread   libc.ioctlPtrBlocking: on a thread (ffi-rs runInNewThread), as the Host API
 *                 ran every map and unmap before #13
 *   ffi-getpid    two libc.getpid() per pair: two ffi-rs calls with nothing to marshal
 *   node-getuid   two process.getuid() per pair: Node's own binding making a syscall (no ffi-rs),
 *                 what crossing from JS into C costs Node itself
 *   c-getpid      two getpid syscalls per pair in C (dma-pair-cost getpid): ffi-getpid − c-getpid
 *                 is what ffi-rs adds to two calls, the floor under any pair made through it
 * Run in the QEMU guest (root, memlock raised): bash e2e/kernel/run.sh dmabench
 *   (output in e2e/kernel/.work/out/dmabench.log and dma-vs-c.txt)
 * Usage: tsx bench/dma-vs-c.bench.ts <compiled dma-pair-cost> [output file] [--turns T]
 * Baseline: bench/baselines/dma-vs-c.txt. Not a test.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, release } from 'node:os';
import type { Container } from '@vfioscope/host';
import {
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_TYPE1v2_IOMMU,
  encodeDmaMap,
  encodeDmaUnmap,
} from '@vfioscope/uapi';
import { createLinuxHost } from '../packages/host-linux/src/index.ts';
import * as libc from '../packages/host-linux/src/syscalls/libc.ts';

// ffi-rs is host-linux's dependency, not the repository root's
const ffi = createRequire(new URL('../packages/host-linux/package.json', import.meta.url))('ffi-rs') as {
  load(params: object): unknown;
  DataType: Record<'I32' | 'I64' | 'U8Array', number>;
};
/** ioctl with the struct as a U8Array and errno: true, one ffi-rs call (libc.ioctlPtr before #13) */
function ioctlU8Array(request: number, arg: Uint8Array): void {
  const r = ffi.load({
    library: 'libc',
    funcName: 'ioctl',
    retType: ffi.DataType.I32,
    paramsType: [ffi.DataType.I32, ffi.DataType.I64, ffi.DataType.U8Array],
    paramsValue: [fd, request, arg],
    errno: true,
  }) as unknown as { value: number; errnoCode: number };
  if (r.value < 0) throw new Error(`ioctl 0x${request.toString(16)}: errno ${r.errnoCode}`);
}

const args = process.argv.slice(2);
const turnsAt = args.indexOf('--turns');
const TURNS = turnsAt >= 0 ? Number(args.splice(turnsAt, 2)[1]) : 5;
const [cProgram, outFile] = args;
if (!cProgram) throw new Error('usage: dma-vs-c.bench.ts <compiled dma-pair-cost> [output file] [--turns T]');

const KiB = 1024n;
const MiB = 1024n * KiB;
const IOVA_BASE = 0x1_0000_0000n;
const IOVA_SLOTS = 16n;
const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
/** size, pairs per turn, and the turn-1 guest baseline of the C loop (µs per pair) */
const CASES: [size: bigint, pairs: number, turn1CUs: number][] = [
  [4n * KiB, 400, 14.3],
  [2n * MiB, 30, 619],
];
const PIN = 256n * MiB;
const GOAL: Record<string, number> = { [String(4n * KiB)]: 0.5, [String(2n * MiB)]: 0.8 };

const host = createLinuxHost();
const topo = await host.topology();
const alone = topo.devices.filter(
  (d) =>
    d.vendorId === 0x1234 &&
    d.deviceId === 0x11e8 &&
    d.driver === 'vfio-pci' &&
    topo.groups.find((g) => g.id === d.iommuGroup)?.devices.length === 1,
);
if (alone.length < 2) throw new Error(`need two edu devices alone in their groups, found ${alone.map((d) => d.bdf).join(', ')}`);
const [ours, theirs] = [alone[0]!, alone[1]!];
const container = await host.openContainer();
const group = await host.openGroup(ours.iommuGroup!);
await group.setContainer(container);
await container.setIommu(VFIO_TYPE1v2_IOMMU);
const fd = (container as Container & { fd: number }).fd;

const iovaOf = (i: number, size: bigint) => IOVA_BASE + (BigInt(i) % IOVA_SLOTS) * size;
const now = () => process.hrtime.bigint();

type Side = 'host-api' | 'libc-sync' | 'ffi-u8array' | 'libc-thread' | 'ffi-getpid' | 'node-getuid' | 'c-getpid' | 'c';
const SIDES: Side[] = ['host-api', 'libc-sync', 'ffi-u8array', 'libc-thread', 'ffi-getpid', 'node-getuid', 'c-getpid', 'c'];

/** ns per pair of one side's turn (setup and warm-up untimed) */
async function pairs(side: Side, size: bigint, n: number, vaddr: bigint): Promise<number> {
  if (side === 'c' || side === 'c-getpid') {
    const how = side === 'c' ? ['pairs', String(size)] : ['getpid', '0'];
    const line = execFileSync(cProgram!, [`/dev/vfio/${theirs.iommuGroup}`, ...how, String(n)], { encoding: 'utf8' });
    return Number(line.trim().split(/\s+/)[3]);
  }
  const one = async (i: number) => {
    const iova = iovaOf(i, size);
    if (side === 'ffi-getpid') {
      libc.getpid();
      libc.getpid();
    } else if (side === 'node-getuid') {
      process.getuid!();
      process.getuid!();
    } else if (side === 'host-api') {
      await container.mapDma({ vaddr, iova, size, flags: RW });
      if ((await container.unmapDma({ iova, size, flags: 0 })) !== size) throw new Error('short unmap');
    } else {
      const m = encodeDmaMap({ flags: RW, vaddr, iova, size });
      const u = encodeDmaUnmap({ flags: 0, iova, size });
      if (side === 'libc-sync') {
        libc.ioctlPtr(fd, VFIO_IOMMU_MAP_DMA, m, 'VFIO_IOMMU_MAP_DMA');
        libc.ioctlPtr(fd, VFIO_IOMMU_UNMAP_DMA, u, 'VFIO_IOMMU_UNMAP_DMA');
      } else if (side === 'ffi-u8array') {
        ioctlU8Array(VFIO_IOMMU_MAP_DMA, m);
        ioctlU8Array(VFIO_IOMMU_UNMAP_DMA, u);
      } else {
        await libc.ioctlPtrBlocking(fd, VFIO_IOMMU_MAP_DMA, m, 'VFIO_IOMMU_MAP_DMA');
        await libc.ioctlPtrBlocking(fd, VFIO_IOMMU_UNMAP_DMA, u, 'VFIO_IOMMU_UNMAP_DMA');
      }
    }
  };
  for (let i = 0; i < Math.max(1, n / 10); i++) await one(i);
  const t0 = now();
  for (let i = 0; i < n; i++) await one(i);
  return Number(now() - t0) / n;
}

/** [map ns, unmap ns] of one MAP_DMA of `size` bytes of fresh memory */
async function pin(side: 'host-api' | 'c', size: bigint): Promise<[number, number]> {
  if (side === 'c') {
    const line = execFileSync(cProgram!, [`/dev/vfio/${theirs.iommuGroup}`, 'pin', String(size)], { encoding: 'utf8' });
    const f = line.trim().split(/\s+/);
    return [Number(f[2]), Number(f[3])];
  }
  const buf = await host.allocDmaBuffer(size);
  const t0 = now();
  await container.mapDma({ vaddr: buf.vaddr, iova: IOVA_BASE, size, flags: RW });
  const t1 = now();
  await container.unmapDma({ iova: IOVA_BASE, size, flags: 0 });
  const t2 = now();
  await buf.free();
  return [Number(t1 - t0), Number(t2 - t1)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const us = (ns: number) => (ns / 1000).toFixed(1);
const sizeName = (s: bigint) => (s >= MiB ? `${s / MiB} MiB` : `${s / KiB} KiB`);
const thp = (() => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim();
  } catch {
    return 'n/a';
  }
})();

const head = [
  `dma-vs-c bench — ${new Date().toISOString()}, Linux ${release()} (${process.env.VFIOSCOPE_BENCH_WHERE ?? 'host'}), node ${process.version}`,
  `load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}; THP: ${thp}; vfioscope on ${ours.bdf} (group ${ours.iommuGroup}), C on ${theirs.bdf} (group ${theirs.iommuGroup}); ${TURNS} turns, sides in rotating order`,
];
console.log(head.join('\n'));
const rows: string[] = [`size     pairs  side          median µs/pair  best   ×C (C/side, median)  turns (µs/pair)`];
const verdicts: string[] = [];
for (const [size, n, turn1] of CASES) {
  const buf = await host.allocDmaBuffer(size);
  const seen = new Map<Side, number[]>(SIDES.map((s) => [s, []]));
  for (let t = 0; t < TURNS; t++) {
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(k + t) % SIDES.length]!;
      seen.get(side)!.push(await pairs(side, size, n, buf.vaddr));
    }
  }
  await buf.free();
  const c = median(seen.get('c')!);
  for (const side of SIDES) {
    const xs = seen.get(side)!;
    const m = median(xs);
    rows.push(
      `${sizeName(size).padEnd(8)} ${String(n).padStart(5)}  ${side.padEnd(12)} ${us(m).padStart(15)} ${us(Math.min(...xs)).padStart(6)}  ${(c / m).toFixed(3).padStart(19)}  ${xs.map(us).join(' ')}`,
    );
  }
  rows.push(`${sizeName(size).padEnd(8)}        turn-1 C baseline ${turn1} µs/pair (this run's C: ${us(c)})`);
  const ratio = c / median(seen.get('host-api')!);
  verdicts.push(
    `${sizeName(size)}: Host API ${ratio.toFixed(3)}× C, goal ≥ ${GOAL[String(size)]}× — ${ratio >= GOAL[String(size)]! ? 'met' : 'NOT met'}`,
  );
  console.log(rows.slice(-SIDES.length - 1).join('\n'));
}

const pins = new Map<'host-api' | 'c', [number, number][]>([
  ['host-api', []],
  ['c', []],
]);
for (let t = 0; t < 3; t++) {
  for (const side of t % 2 === 0 ? (['host-api', 'c'] as const) : (['c', 'host-api'] as const)) pins.get(side)!.push(await pin(side, PIN));
}
const cPin = median(pins.get('c')!.map((p) => p[0]));
rows.push(`pin ${sizeName(PIN)} of fresh memory (one MAP_DMA, then its UNMAP), 3 turns:`);
for (const [side, xs] of pins) {
  const m = median(xs.map((p) => p[0]));
  rows.push(
    `  ${side.padEnd(10)} map median ${(m / 1e6).toFixed(0).padStart(6)} ms (${xs.map((p) => (p[0] / 1e6).toFixed(0)).join(' ')}), ×C ${(cPin / m).toFixed(3)};` +
      ` unmap median ${(median(xs.map((p) => p[1])) / 1e6).toFixed(0)} ms (${xs.map((p) => (p[1] / 1e6).toFixed(0)).join(' ')})`,
  );
}
console.log(rows.slice(-3).join('\n'));
await host.close();
const tail = [
  ...verdicts,
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
];
console.log(tail.join('\n'));
if (outFile) writeFileSync(outFile, [...head, ...rows, ...tail, ''].join('\n'));
