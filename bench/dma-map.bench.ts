/**
 * VFIO_IOMMU_MAP_DMA + UNMAP_DMA throughput through the sim's container,
 * with the table holding ~1k and ~65k mappings (type1's dma_entry_limit is
 * 65,535). Each op pair maps one page at a random free IOVA among the
 * existing entries and unmaps it again, so every call searches the whole
 * tree. Several rounds per size; the median is the number to compare (the
 * machine is shared, so single rounds are noisy). Prints; not a test.
 * Run: pnpm exec tsx bench/dma-map.bench.ts
 */
import { loadavg } from 'node:os';
import { createSimHost, loadScenario } from '@vfioscope/host-sim';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';

const PAGE = 0x1000n;
const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
const BASE = 0x1_0000_0000n;
const ROUNDS = 7;
const PAIRS_PER_ROUND = 10_000;

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US').padStart(9);

async function run(entries: number, print = true): Promise<void> {
  const scenario = loadScenario('edu');
  scenario.memlockLimit = null;
  const host = createSimHost({ scenario });
  const edu = (await host.topology()).devices.find((d) => d.vendorId === 0x1234 && d.deviceId === 0x11e8 && d.driver === 'vfio-pci')!;
  const container = await host.openContainer();
  const group = await host.openGroup(edu.iommuGroup!);
  await group.setContainer(container);
  await container.setIommu(VFIO_TYPE1v2_IOMMU);
  // even IOVA slots hold the resident mappings; odd slots stay free for the measured pairs
  const buffer = await host.allocDmaBuffer(BigInt(entries + 1) * PAGE);
  const fill = entries - 1;
  let t0 = performance.now();
  for (let i = 0; i < fill; i++) {
    await container.mapDma({ vaddr: buffer.vaddr + BigInt(i) * PAGE, iova: BASE + BigInt(2 * i) * PAGE, size: PAGE, flags: RW });
  }
  const fillRate = rate(fill, performance.now() - t0);

  let seed = 12345;
  const slot = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return BigInt(2 * (seed % fill) + 1);
  };
  const vaddr = buffer.vaddr + BigInt(fill) * PAGE;
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    t0 = performance.now();
    for (let i = 0; i < PAIRS_PER_ROUND; i++) {
      const iova = BASE + slot() * PAGE;
      await container.mapDma({ vaddr, iova, size: PAGE, flags: RW });
      await container.unmapDma({ iova, size: PAGE, flags: 0 });
    }
    rounds.push(rate(2 * PAIRS_PER_ROUND, performance.now() - t0));
  }

  t0 = performance.now();
  const unmapped = await container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL });
  const allMs = performance.now() - t0;
  await host.close();
  if (!print) return;
  rounds.sort((a, b) => a - b);
  console.log(
    `${String(entries).padStart(6)} entries: map+unmap median ${fmt(rounds[ROUNDS >> 1]!)} ops/s, best ${fmt(rounds[ROUNDS - 1]!)}` +
      ` (${ROUNDS}×${PAIRS_PER_ROUND} pairs) | fill ${fmt(fillRate)} maps/s | UNMAP_ALL of ${unmapped / PAGE} mappings ${allMs.toFixed(1)} ms`,
  );
}

console.log(
  `dma-map bench — node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
// one unprinted pass so the JIT has compiled the paths before anything is timed
await run(1_000, false);
await run(1_000);
await run(65_535);
