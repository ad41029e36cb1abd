/**
 * MSI and MSI-X of an open vfio-pci device (vfio_msi_enable,
 * vfio_msi_set_block, vfio_msi_set_vector_signal). Enabling allocates
 * start+count vectors at once and the set cannot grow later (NORESIZE, the
 * 6.1 behaviour); each vector with an eventfd gets its own host IRQ line.
 * Edge interrupts are never masked by VFIO.
 */
import { VFIO_PCI_MSIX_IRQ_INDEX } from '@vfioscope/uapi';
import type { SimEventFdCtx } from './eventfd.ts';
import { fail } from './fail.ts';
import { deliverIrq } from './irq-delivery.ts';
import type { HostIrqLine, IrqEnv, IrqPayload } from './vfio-pci-irqs.ts';

const OP = 'VFIO_DEVICE_SET_IRQS';

interface Vector {
  trigger: SimEventFdCtx | null;
  line: HostIrqLine | null;
}

export class MsiState {
  /** VFIO_PCI_MSI_IRQ_INDEX or VFIO_PCI_MSIX_IRQ_INDEX while enabled */
  enabledIndex: number | null = null;
  private vectors: Vector[] = [];

  constructor(private readonly env: IrqEnv) {}

  /** vfio_pci_set_msi_trigger() */
  setTrigger(index: number, start: number, count: number, p: IrqPayload, intxEnabled: boolean): void {
    const ctx = { device: this.env.bdf };
    if (this.enabledIndex === index && count === 0 && p.kind === 'none') {
      this.disable();
      return;
    }
    if (!(this.enabledIndex === index || (this.enabledIndex === null && !intxEnabled))) {
      fail('EINVAL', OP, 'another IRQ index is enabled; disable it first', ctx);
    }
    if (p.kind === 'eventfd') {
      if (this.enabledIndex === index) {
        this.setBlock(start, count, p.ctxs);
        return;
      }
      this.enable(index, start + count);
      try {
        this.setBlock(start, count, p.ctxs);
      } catch (e) {
        this.disable();
        throw e;
      }
      return;
    }
    if (this.enabledIndex !== index || start + count > this.vectors.length) {
      fail('EINVAL', OP, `IRQ index ${index} is not enabled for vectors ${start}+${count}`, ctx);
    }
    // loopback: DATA_NONE fires, DATA_BOOL fires where true
    for (let i = start; i < start + count; i++) {
      const fire = p.kind === 'none' || (p.kind === 'bool' && p.values[i - start]);
      if (fire) this.vectors[i]!.trigger?.signal(1);
    }
  }

  private enable(index: number, nvec: number): void {
    this.enabledIndex = index;
    this.vectors = Array.from({ length: nvec }, () => ({ trigger: null, line: null }));
    if (index === VFIO_PCI_MSIX_IRQ_INDEX) this.env.cfg.setMsixEnable(true);
    else this.env.cfg.setMsiEnable(true);
  }

  private setBlock(start: number, count: number, ctxs: (SimEventFdCtx | null)[]): void {
    if (start >= this.vectors.length || start + count > this.vectors.length) {
      fail('EINVAL', OP, `vectors ${start}+${count} exceed the ${this.vectors.length} enabled (the set cannot grow)`, {
        device: this.env.bdf,
      });
    }
    for (let i = 0; i < count; i++) this.setVectorSignal(start + i, ctxs[i] ?? null);
  }

  private setVectorSignal(v: number, ctx: SimEventFdCtx | null): void {
    const vec = this.vectors[v]!;
    vec.trigger = null;
    vec.line = null;
    if (!ctx) return;
    vec.trigger = ctx;
    vec.line = this.env.requestIrq(this.enabledIndex!, v);
  }

  /** vfio_msi_disable() */
  disable(): void {
    if (this.enabledIndex === null) return;
    if (this.enabledIndex === VFIO_PCI_MSIX_IRQ_INDEX) this.env.cfg.setMsixEnable(false);
    else this.env.cfg.setMsiEnable(false);
    this.enabledIndex = null;
    this.vectors = [];
  }

  raise(index: number, vector: number, times: number): void {
    if (this.enabledIndex !== index || times <= 0) return;
    const vec = this.vectors[vector];
    if (!vec?.line) return;
    deliverIrq(vec.line, times);
    vec.trigger!.signal(times);
  }

  lines(): HostIrqLine[] {
    const out: HostIrqLine[] = [];
    for (const v of this.vectors) if (v.line) out.push(v.line);
    return out;
  }
}
