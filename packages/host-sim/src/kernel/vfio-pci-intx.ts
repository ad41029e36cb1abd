/**
 * INTx of an open vfio-pci device (vfio_pci_intrs.c). INTx is level
 * triggered and may be shared, so the host masks it the moment it fires
 * (vfio_intx_handler: DisINTx in the command register, ctx->masked) and
 * signals the trigger eventfd once; nothing more is delivered until the
 * user unmasks (ioctl or an unmask irqfd). If the line is still asserted at
 * unmask time, vfio_pci_intx_unmask_handler leaves it masked and re-sends
 * the eventfd instead.
 *
 * "Still asserted" is PCI_STATUS.INTERRUPT on real hardware. A device model
 * that keeps that bit is read the same way; for a model that only raises
 * edges, one raise arriving while masked is remembered as the pending level.
 */
import type { SimEventFdCtx } from './eventfd.ts';
import { fail } from './fail.ts';
import { deliverIrq } from './irq-delivery.ts';
import type { HostIrqLine, IrqEnv, IrqPayload } from './vfio-pci-irqs.ts';
import { VFIO_PCI_INTX_IRQ_INDEX } from '@vfioscope/uapi';

const OP = 'VFIO_DEVICE_SET_IRQS';

export class IntxState {
  enabled = false;
  masked = false;
  private trigger: SimEventFdCtx | null = null;
  private line: HostIrqLine | null = null;
  private unmaskFd: SimEventFdCtx | null = null;
  /** an edge that arrived while masked (edge-only models) */
  private pendingEdge = false;
  /** the model reports its INTx level in PCI_STATUS */
  private levelInStatus = false;
  /**
   * The function was already asserting INTx when the trigger was wired
   * (request_irq). Observed on Linux 6.1 in the e2e/kernel guest (QEMU 7.2
   * q35, split irqchip, TCG, edu): nothing was delivered at wiring, nor on
   * another raise while the level stayed high, nor after UNMASK (the host
   * never masked); only after edu deasserted (ack) and raised again. The
   * line's rising edge happened before anyone listened, so until the level
   * drops the host sees no interrupt. Real hardware with a real IOAPIC may
   * differ.
   */
  private assertedBeforeWire = false;

  constructor(private readonly env: IrqEnv) {}

  private refuseUnlessEnabled(start: number, count: number, what: string): void {
    if (!this.enabled || start !== 0 || count !== 1)
      fail('EINVAL', OP, `INTx ${what} needs INTx enabled, start 0 and count 1`, { device: this.env.bdf });
  }

  /** ACTION_MASK */
  setMask(start: number, count: number, p: IrqPayload): void {
    this.refuseUnlessEnabled(start, count, 'mask');
    if (p.kind === 'eventfd') fail('ENOTTY', OP, 'INTx mask by eventfd is not implemented by vfio-pci', { device: this.env.bdf });
    if (p.kind === 'none' || p.values[0]) this.mask();
  }

  /** ACTION_UNMASK: now, or on every write of an eventfd (virqfd) */
  setUnmask(start: number, count: number, p: IrqPayload): void {
    this.refuseUnlessEnabled(start, count, 'unmask');
    if (p.kind === 'none' || (p.kind === 'bool' && p.values[0])) this.unmask();
    else if (p.kind === 'eventfd') {
      this.unmaskFd?.detachVirqfd();
      this.unmaskFd = p.ctxs[0] ?? null;
      this.unmaskFd?.attachVirqfd(() => this.unmask());
    }
  }

  /** ACTION_TRIGGER (vfio_pci_set_intx_trigger) */
  setTrigger(start: number, count: number, p: IrqPayload, otherEnabled: boolean): void {
    if (this.enabled && count === 0 && p.kind === 'none') {
      this.disable();
      return;
    }
    if (otherEnabled || start !== 0 || count !== 1) {
      fail('EINVAL', OP, otherEnabled ? 'MSI or MSI-X is enabled; disable it before INTx' : 'INTx takes start 0, count 1', {
        device: this.env.bdf,
      });
    }
    if (p.kind === 'eventfd') {
      if (!this.enabled) {
        this.assertedBeforeWire = this.env.cfg.intxAsserted();
        this.enable();
      }
      this.setSignal(p.ctxs[0] ?? null);
      return;
    }
    if (!this.enabled) fail('EINVAL', OP, 'INTx is not enabled', { device: this.env.bdf });
    // loopback: signal the eventfd as if the interrupt fired, without masking
    if (p.kind === 'none' || p.values[0]) this.trigger?.signal(1);
  }

  private enable(): void {
    this.enabled = true;
    this.masked = false;
    this.pendingEdge = false;
    this.env.cfg.setIntxDisabled(false);
  }

  private setSignal(ctx: SimEventFdCtx | null): void {
    this.trigger = null;
    this.line = null;
    if (!ctx) return;
    this.trigger = ctx;
    this.line = this.env.requestIrq(VFIO_PCI_INTX_IRQ_INDEX, 0);
  }

  /** vfio_intx_disable() */
  disable(): void {
    if (!this.enabled) return;
    this.unmaskFd?.detachVirqfd();
    this.unmaskFd = null;
    this.setSignal(null);
    this.enabled = false;
    this.masked = false;
    this.pendingEdge = false;
    this.assertedBeforeWire = false;
  }

  /** after a user access that may have deasserted the line (an ack): a stale level ends when it drops */
  observeLevel(): void {
    if (this.assertedBeforeWire && !this.env.cfg.intxAsserted()) this.assertedBeforeWire = false;
  }

  private mask(): void {
    if (this.masked) return;
    this.env.cfg.setIntxDisabled(true);
    this.masked = true;
  }

  private unmask(): void {
    if (!this.enabled || !this.masked) return;
    const stillAsserted = this.levelInStatus ? this.env.cfg.intxAsserted() : this.pendingEdge;
    this.pendingEdge = false;
    if (stillAsserted) {
      // stays masked; the interrupt is re-sent to the user without another host IRQ
      this.trigger?.signal(1);
      return;
    }
    this.masked = false;
    this.env.cfg.setIntxDisabled(false);
  }

  /** vfio_intx_handler(): the function asserted INTx */
  raise(times: number): void {
    if (!this.enabled || !this.line || times <= 0) return;
    this.observeLevel();
    if (this.assertedBeforeWire) return;
    if (this.masked) {
      this.pendingEdge = true;
      return;
    }
    this.mask();
    deliverIrq(this.line, 1);
    if (!this.levelInStatus && this.env.cfg.intxAsserted()) this.levelInStatus = true;
    if (times > 1) this.pendingEdge = true;
    this.trigger?.signal(1);
  }

  lines(): HostIrqLine[] {
    return this.line ? [this.line] : [];
  }
}
