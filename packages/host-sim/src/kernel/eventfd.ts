/**
 * eventfd(2) objects. The kernel signals an interrupt by adding to the
 * counter (eventfd_signal); a read returns the count and resets it. The
 * kernel keeps its own reference (eventfd_ctx) to an eventfd wired as a
 * trigger, so closing the user's fd does not stop the count, only the
 * user's access. A virqfd (vfio's irqfd, e.g. an INTx unmask eventfd)
 * consumes the count itself the moment the eventfd is written and runs its
 * handler.
 */
import type { EventFd } from '@vfioscope/host';
import { fail } from './fail.ts';

export type VirqfdHandler = () => void;

export class SimEventFdCtx {
  counter = 0;
  /** the user closed their fd; the kernel may still hold the context */
  userClosed = false;
  private virqfd: VirqfdHandler | null = null;

  constructor(readonly fd: number) {}

  /** eventfd_signal(): what the kernel does on an interrupt */
  signal(n = 1): void {
    if (n <= 0) return;
    if (this.virqfd) {
      this.virqfd();
      return;
    }
    this.counter += n;
  }

  /** read(2) in EFD_NONBLOCK mode: the count, reset (0 where read(2) would say EAGAIN) */
  read(): number {
    const n = this.counter;
    this.counter = 0;
    return n;
  }

  /** vfio_virqfd_enable(): the handler runs on each write instead of the count growing */
  attachVirqfd(handler: VirqfdHandler): void {
    this.virqfd = handler;
    // virqfd_wakeup runs at once when the eventfd is already signalled
    if (this.counter > 0) {
      this.counter = 0;
      handler();
    }
  }

  detachVirqfd(): void {
    this.virqfd = null;
  }
}

/** The user's fd on an eventfd context. `observe` advances the devices first. */
export class SimEventFd implements EventFd {
  constructor(
    readonly ctx: SimEventFdCtx,
    private readonly observe: () => void,
    private readonly onClose: (e: SimEventFd) => void = () => {},
  ) {}

  get fd(): number {
    return this.ctx.fd;
  }

  drainSync(): number {
    if (this.ctx.userClosed) fail('EBADF', 'read', `eventfd ${this.fd} is closed`);
    return this.ctx.read();
  }

  async drain(): Promise<number> {
    this.observe();
    return this.drainSync();
  }

  async signal(value = 1): Promise<void> {
    if (this.ctx.userClosed) fail('EBADF', 'write', `eventfd ${this.fd} is closed`);
    // eventfd_write refuses the all-ones value
    if (!Number.isSafeInteger(value) || value < 0) fail('EINVAL', 'write', `eventfd value ${value} out of range`);
    this.ctx.signal(value);
  }

  async close(): Promise<void> {
    if (this.ctx.userClosed) fail('EBADF', 'close', `eventfd ${this.fd} is already closed`);
    this.ctx.userClosed = true;
    this.onClose(this);
  }
}
