/**
 * Pinned memory and DMA entries. Processes (every holder of a VFIO group: a
 * VM, or vfioscope itself) and vfioscope's own containers are separate
 * metrics, because a container's pins are also its process's: one metric
 * with both would count them twice in any sum.
 */
import { Gauge, type Registry } from 'prom-client';
import type { PinnedStat } from '@vfioscope/telemetry';
import type { ServerContext } from '../context.ts';

type ProcessStat = PinnedStat & { scope: 'process' };

export function registerMemoryMetrics(registry: Registry, ctx: ServerContext): void {
  const processes = () => ctx.telemetry.pinned().filter((p): p is ProcessStat => p.scope === 'process');
  const processLabels = ['pid', 'comm', 'vm'] as const;
  const labelsOf = (p: ProcessStat) => ({ pid: String(p.id), comm: p.comm ?? '', vm: p.vm ?? '' });
  const perProcess = (name: string, help: string, value: (p: ProcessStat) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: processLabels,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of processes()) {
          const v = value(p);
          if (v !== null) this.set(labelsOf(p), v);
        }
      },
    });
  perProcess(
    'vfioscope_process_locked_bytes',
    'Locked memory (VmLck) of a process holding VFIO groups: type1 and the compat container charge pinned DMA pages here',
    (p) => p.lockedBytes,
  );
  perProcess(
    'vfioscope_process_pinned_bytes',
    'Pinned memory (VmPin) of a process holding VFIO groups: iommufd charges pinned DMA pages here',
    (p) => p.pinnedBytes,
  );
  perProcess(
    'vfioscope_process_memlock_limit_bytes',
    'RLIMIT_MEMLOCK of a process holding VFIO groups (absent = unlimited)',
    (p) => p.limitBytes,
  );

  const containers = () => ctx.telemetry.pinned().filter((p) => p.scope === 'container');
  new Gauge({
    name: 'vfioscope_container_pinned_bytes',
    help: 'Bytes pinned by the DMA mappings of a container (or IOAS) vfioscope holds',
    labelNames: ['container'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of containers()) this.set({ container: String(c.id) }, c.pinnedBytes);
    },
  });
  new Gauge({
    name: 'vfioscope_container_dma_mappings',
    help: 'DMA mappings in a container vfioscope holds (each is one of type1 dma_entry_limit entries)',
    labelNames: ['container'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of ctx.telemetry.dmaEntries()) this.set({ container: String(d.container) }, d.used);
    },
  });
  new Gauge({
    name: 'vfioscope_container_dma_entries_limit',
    help: "type1's dma_entry_limit for a container (absent where the path has no such limit: an IOAS, the compat container)",
    labelNames: ['container'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of ctx.telemetry.dmaEntries()) if (d.limit !== null) this.set({ container: String(d.container) }, d.limit);
    },
  });
}
