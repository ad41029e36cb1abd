/**
 * The interrupt side of one open vfio-pci device (vfio_pci_intrs.c and the
 * GET_IRQ_INFO / SET_IRQS ioctls of vfio_pci_core.c): which index is
 * enabled (INTx, MSI and MSI-X exclude each other), the trigger eventfd of
 * each vector, INTx auto-masking, the ERR and REQ eventfds, and the host
 * IRQ lines (/proc/interrupts) requested for wired vectors.
 */
import type { IrqIndexName, IrqInfo, IrqLine, IrqSetRequest } from '@vfioscope/host';
import {
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_REQ_IRQ_INDEX,
} from '@vfioscope/uapi';
import type { SimEventFdCtx } from './eventfd.ts';
import { fail } from './fail.ts';
import type { PciConfig } from './pci-config.ts';
import { IntxState } from './vfio-pci-intx.ts';
import { MsiState } from './vfio-pci-msi.ts';

export const IRQ_INDEX_NAMES: IrqIndexName[] = ['INTX', 'MSI', 'MSIX', 'ERR', 'REQ'];
const OP = 'VFIO_DEVICE_SET_IRQS';
const U32_MAX = 0xffff_ffff;

/** A host interrupt requested for a VFIO vector: one /proc/interrupts line. */
export interface HostIrqLine {
  irq: number;
  index: number;
  vector: number;
  count: number;
  /** count per CPU (index = CPU number); only `effective` grows (irq-delivery.ts) */
  perCpu: number[];
  /** smp_affinity_list */
  affinity: number[];
  /** the one CPU the vector is programmed to (effective_affinity_list) */
  effective: number;
}

/** What the IRQ code needs from the rest of the kernel. */
export interface IrqEnv {
  bdf: string;
  cfg: PciConfig;
  /** request_irq(): a fresh host IRQ line for (index, vector), targeted at one CPU */
  requestIrq(index: number, vector: number): HostIrqLine;
  /** eventfd_ctx_fdget(): EBADF for a closed fd, EINVAL for something that is not an eventfd */
  eventfdCtx(fd: unknown): SimEventFdCtx;
}

/** The decoded payload of SET_IRQS: one entry per vector, or none. */
export type IrqPayload = { kind: 'none' } | { kind: 'bool'; values: boolean[] } | { kind: 'eventfd'; ctxs: (SimEventFdCtx | null)[] };

export class VfioPciIrqs {
  readonly intx: IntxState;
  readonly msi: MsiState;
  private err: SimEventFdCtx | null = null;
  private req: SimEventFdCtx | null = null;

  constructor(private readonly env: IrqEnv) {
    this.intx = new IntxState(env);
    this.msi = new MsiState(env);
  }

  /** vfio_pci_get_irq_count() */
  count(index: number): number {
    const cfg = this.env.cfg;
    switch (index) {
      case VFIO_PCI_INTX_IRQ_INDEX:
        return cfg.interruptPin() ? 1 : 0;
      case VFIO_PCI_MSI_IRQ_INDEX:
        return cfg.msiVectors();
      case VFIO_PCI_MSIX_IRQ_INDEX:
        return cfg.msixTable()?.vectors ?? 0;
      case VFIO_PCI_ERR_IRQ_INDEX:
        return cfg.isPcie() ? 1 : 0;
      case VFIO_PCI_REQ_IRQ_INDEX:
        return 1;
      default:
        return 0;
    }
  }

  /** VFIO_DEVICE_GET_IRQ_INFO: ERR exists only on PCI Express functions */
  info(index: number): IrqInfo {
    const op = 'VFIO_DEVICE_GET_IRQ_INFO';
    if (!Number.isInteger(index) || index < 0 || index >= VFIO_PCI_NUM_IRQS)
      fail('EINVAL', op, `IRQ index ${index} out of range`, { device: this.env.bdf, field: 'index' });
    if (index === VFIO_PCI_ERR_IRQ_INDEX && !this.env.cfg.isPcie())
      fail('EINVAL', op, 'ERR IRQ index exists only on PCI Express devices', { device: this.env.bdf, field: 'index' });
    let flags = VFIO_IRQ_INFO_EVENTFD;
    if (index === VFIO_PCI_INTX_IRQ_INDEX) flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    else flags |= VFIO_IRQ_INFO_NORESIZE;
    return { index, flags, count: this.count(index) };
  }

  /** VFIO_DEVICE_SET_IRQS: vfio_set_irqs_validate_and_prepare(), then vfio_pci_set_irqs_ioctl() */
  set(req: IrqSetRequest): void {
    const ctx = { device: this.env.bdf };
    const { index, start, count, action } = req;
    const ints = [index, start, count, action].every((v) => Number.isInteger(v) && v >= 0 && v <= U32_MAX);
    if (!ints) fail('EINVAL', OP, 'index, start, count and action are 32-bit unsigned', ctx);
    if (index >= VFIO_PCI_NUM_IRQS || count >= U32_MAX - start || action & ~VFIO_IRQ_SET_ACTION_TYPE_MASK) {
      fail('EINVAL', OP, `bad header (index ${index}, start ${start}, count ${count}, action ${action})`, { ...ctx, field: 'index' });
    }
    const max = this.count(index);
    if (start >= max || start + count > max)
      fail('EINVAL', OP, `vectors ${start}+${count} exceed the ${max} of IRQ index ${index}`, { ...ctx, field: 'count' });
    const payload = this.decode(req, ctx);

    const act = action & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    switch (index) {
      case VFIO_PCI_INTX_IRQ_INDEX:
        if (act === VFIO_IRQ_SET_ACTION_MASK) {
          this.intx.setMask(start, count, payload);
          return;
        }
        if (act === VFIO_IRQ_SET_ACTION_UNMASK) {
          this.intx.setUnmask(start, count, payload);
          return;
        }
        if (act === VFIO_IRQ_SET_ACTION_TRIGGER) {
          this.intx.setTrigger(start, count, payload, this.msi.enabledIndex !== null);
          return;
        }
        break;
      case VFIO_PCI_MSI_IRQ_INDEX:
      case VFIO_PCI_MSIX_IRQ_INDEX:
        // MASK/UNMASK: "XXX Need masking support exported" in the kernel, so no handler: ENOTTY
        if (act === VFIO_IRQ_SET_ACTION_TRIGGER) {
          this.msi.setTrigger(index, start, count, payload, this.intx.enabled);
          return;
        }
        break;
      case VFIO_PCI_ERR_IRQ_INDEX:
        if (act === VFIO_IRQ_SET_ACTION_TRIGGER && this.env.cfg.isPcie()) {
          this.err = setCtxTriggerSingle(this.err, count, payload);
          return;
        }
        break;
      case VFIO_PCI_REQ_IRQ_INDEX:
        if (act === VFIO_IRQ_SET_ACTION_TRIGGER) {
          this.req = setCtxTriggerSingle(this.req, count, payload);
          return;
        }
        break;
    }
    fail('ENOTTY', OP, `action ${action} is not supported on IRQ index ${index}`, { ...ctx, field: 'action' });
  }

  private decode(req: IrqSetRequest, ctx: { device: string }): IrqPayload {
    const data = req.data;
    // the data array is what the ioctl's argsz covers: too short for count entries → EINVAL
    if (data.type === 'none') return { kind: 'none' };
    if (data.type === 'bool') {
      if (data.values.length < req.count) fail('EINVAL', OP, `argsz too small for ${req.count} bools`, { ...ctx, field: 'data' });
      return { kind: 'bool', values: data.values.slice(0, req.count) };
    }
    if (data.type === 'eventfd') {
      if (data.fds.length < req.count) fail('EINVAL', OP, `argsz too small for ${req.count} eventfds`, { ...ctx, field: 'data' });
      return { kind: 'eventfd', ctxs: data.fds.slice(0, req.count).map((fd) => (fd === null ? null : this.env.eventfdCtx(fd))) };
    }
    return fail('EINVAL', OP, 'unknown data type', { ...ctx, field: 'data' });
  }

  /** the device raised (index, vector) `times` times */
  raise(index: number, vector: number, times: number): void {
    if (index === VFIO_PCI_INTX_IRQ_INDEX) this.intx.raise(times);
    else if (index === VFIO_PCI_MSI_IRQ_INDEX || index === VFIO_PCI_MSIX_IRQ_INDEX) this.msi.raise(index, vector, times);
    else if (index === VFIO_PCI_ERR_IRQ_INDEX) this.err?.signal(times);
    else if (index === VFIO_PCI_REQ_IRQ_INDEX) this.req?.signal(times);
  }

  /** vfio_pci_core_request(): ask the user to release the device */
  request(): boolean {
    if (!this.req) return false;
    this.req.signal(1);
    return true;
  }

  /** vfio_pci_core_disable(): the last fd closed */
  disableAll(): void {
    this.intx.disable();
    this.msi.disable();
    this.err = null;
    this.req = null;
  }

  lines(): HostIrqLine[] {
    return [...this.intx.lines(), ...this.msi.lines()];
  }

  static lineName(bdf: string, l: { index: number; vector: number }): string {
    if (l.index === VFIO_PCI_INTX_IRQ_INDEX) return `vfio-intx(${bdf})`;
    return `vfio-${l.index === VFIO_PCI_MSI_IRQ_INDEX ? 'msi' : 'msix'}[${l.vector}](${bdf})`;
  }

  static toIrqLine(bdf: string, l: HostIrqLine): IrqLine {
    return {
      bdf,
      index: IRQ_INDEX_NAMES[l.index]!,
      vector: l.vector,
      irq: l.irq,
      count: l.count,
      perCpu: [...l.perCpu],
      affinity: [...l.affinity],
      effectiveAffinity: [l.effective],
      name: VfioPciIrqs.lineName(bdf, l),
    };
  }
}

/** vfio_pci_set_ctx_trigger_single(): ERR and REQ, one eventfd each; DATA_NONE/BOOL loop back */
function setCtxTriggerSingle(cur: SimEventFdCtx | null, count: number, p: IrqPayload): SimEventFdCtx | null {
  const op = OP;
  if (p.kind === 'none') {
    if (cur) {
      if (count) cur.signal(1);
      else return null;
      return cur;
    }
    return fail('EINVAL', op, 'no eventfd is set for this index');
  }
  if (p.kind === 'bool') {
    if (!count) fail('EINVAL', op, 'count 0 with DATA_BOOL');
    if (p.values[0] && cur) cur.signal(1);
    return cur;
  }
  if (!count) fail('EINVAL', op, 'count 0 with DATA_EVENTFD');
  return p.ctxs[0] ?? null;
}
