/**
 * A device whose user programs a DMA to an IOVA it never mapped, now and
 * then — the bug an IOMMU fault line in the kernel log reveals. Each period
 * the device writes a few bytes to `iova`; the sim kernel's IOMMU refuses
 * it (no mapping there, or no domain at all) and prints dmar.c's fault line,
 * which Host.kernelLog parses back. A mapping that covers `iova` makes the
 * write land instead, as on hardware.
 */
import type { DeviceBus } from './device-model.ts';

export interface ScenarioDmaFaults {
  /** one faulting DMA every this many ms of sim time */
  everyMs: number;
  /** the IOVA written (page-aligned faults print this page) */
  iova: number;
}

/** at most this many faults per advance: a long pause replays a few, not thousands (the kernel ratelimits them too) */
const MAX_PER_ADVANCE = 5;

export class DmaFaultDriver {
  private lastMs = 0;

  constructor(private readonly faults: ScenarioDmaFaults | undefined) {}

  start(nowMs: number): void {
    this.lastMs = nowMs;
  }

  advance(bus: DeviceBus, nowMs: number): void {
    const f = this.faults;
    if (!f || f.everyMs <= 0) return;
    const due = Math.floor((nowMs - this.lastMs) / f.everyMs);
    if (due <= 0) return;
    this.lastMs += due * f.everyMs;
    for (let i = 0; i < Math.min(due, MAX_PER_ADVANCE); i++) {
      try {
        bus.dmaWrite(BigInt(f.iova), new Uint8Array(4));
      } catch {
        // the IOMMU refused it: the kernel printed the fault; the device just sees its write dropped
      }
    }
  }
}
