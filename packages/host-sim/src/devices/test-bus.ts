/**
 * A recording DeviceBus for device-model tests: a manual clock, a flat RAM
 * that DMA reads and writes, an optional fault range, and every interrupt
 * and DMA request logged.
 */
import type { DeviceBus } from './device-model.ts';

export class RecordingBus implements DeviceBus {
  nowMs = 0;
  readonly irqs: Array<{ index: number; vector: number; times: number }> = [];
  readonly dmaLog: Array<{ op: 'read' | 'write'; iova: bigint; length: number }> = [];
  readonly ram = new Map<bigint, number>();
  /** IOVAs at or above this fault like an unmapped IOMMU page */
  faultFrom: bigint | null = null;

  raiseIrq(index: number, vector: number, times = 1): void {
    this.irqs.push({ index, vector, times });
  }

  dmaRead(iova: bigint, length: number): Uint8Array {
    this.dmaLog.push({ op: 'read', iova, length });
    this.checkFault(iova);
    return Uint8Array.from({ length }, (_, i) => this.ram.get(iova + BigInt(i)) ?? 0);
  }

  dmaWrite(iova: bigint, data: Uint8Array): void {
    this.dmaLog.push({ op: 'write', iova, length: data.length });
    this.checkFault(iova);
    for (const [i, b] of data.entries()) this.ram.set(iova + BigInt(i), b);
  }

  now(): number {
    return this.nowMs;
  }

  /** interrupts raised on (index, vector), counting `times` */
  count(index: number, vector = 0): number {
    return this.irqs.filter((r) => r.index === index && r.vector === vector).reduce((n, r) => n + r.times, 0);
  }

  private checkFault(iova: bigint): void {
    if (this.faultFrom !== null && iova >= this.faultFrom) throw new Error('EFAULT: IOVA not mapped');
  }
}
