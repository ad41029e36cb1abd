/**
 * eventfd(2) counters: how VFIO signals an interrupt (the kernel adds 1 per
 * interrupt; a read returns the sum and resets it). Every eventfd this host
 * creates is also registered, level-triggered, in one epoll set, so that
 * draining thousands of vectors per tick costs one epoll_wait plus one
 * read(2) per vector that actually fired — not a read per vector.
 */
import { VfioError, type EventFd, type Teardown } from '@vfioscope/host';
import * as libc from '../syscalls/libc.ts';
import { assertOpen } from './closed-guard.ts';
import type { Owned, Resources } from './resources.ts';

export class LinuxEventFd implements EventFd, Owned {
  private closed = false;
  private readonly scratch = Buffer.alloc(8);

  constructor(
    readonly fd: number,
    private readonly set: EventFdSet,
    private readonly resources: Resources,
  ) {
    resources.add(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** the counter, reset to 0; 0 when nothing was signalled */
  drainSync(): number {
    assertOpen(this.closed, 'read', `eventfd ${this.fd}`);
    return libc.readCounter(this.fd, this.scratch);
  }

  async drain(): Promise<number> {
    return this.drainSync();
  }

  async signal(value = 1): Promise<void> {
    assertOpen(this.closed, 'write', `eventfd ${this.fd}`);
    libc.writeCounter(this.fd, BigInt(value));
  }

  addTeardown(t: Teardown<void>): void {
    t.add('memory', `close eventfd ${this.fd}`, () => this.releaseSync());
  }

  releaseSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.resources.delete(this);
    this.set.remove(this);
    libc.close(this.fd);
  }

  async close(): Promise<void> {
    assertOpen(this.closed, 'close', `eventfd ${this.fd}`);
    this.releaseSync();
  }
}

/** EventFd.drain for any implementation, synchronously where it is ours. */
function drainOne(f: EventFd): number {
  if (f instanceof LinuxEventFd) return f.drainSync();
  throw VfioError.fromErrno(9 /* EBADF */, 'read', `eventfd ${f.fd} does not belong to this linux host`);
}

/** The epoll set behind drainEventFds. */
export class EventFdSet {
  private epfd = -1;
  private members = 0;
  /** the LinuxEventFd objects in the epoll set */
  private readonly registered = new WeakSet<EventFd>();
  private events = new Uint8Array(0);

  constructor(private readonly resources: Resources) {}

  create(): LinuxEventFd {
    const fd = libc.eventfd(0, libc.EFD_NONBLOCK | libc.EFD_CLOEXEC);
    try {
      if (this.epfd < 0) this.epfd = libc.epollCreate();
      libc.epollCtl(this.epfd, libc.EPOLL_CTL_ADD, fd, libc.EPOLLIN);
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    this.members++;
    const efd = new LinuxEventFd(fd, this, this.resources);
    this.registered.add(efd);
    return efd;
  }

  remove(efd: LinuxEventFd): void {
    this.registered.delete(efd);
    const fd = efd.fd;
    if (this.epfd < 0) return;
    this.members--;
    // closing the fd removes it from the set as well; deleting first keeps the count exact
    try {
      libc.epollCtl(this.epfd, libc.EPOLL_CTL_DEL, fd, 0);
    } catch {
      /* already gone */
    }
  }

  /** fds (of this set) whose counter is non-zero right now */
  readySync(): Set<number> {
    const ready = new Set<number>();
    if (this.epfd < 0 || this.members <= 0) return ready;
    const want = Math.max(64, this.members) * libc.EPOLL_EVENT_SIZE;
    if (this.events.length < want) this.events = new Uint8Array(want * 2);
    const n = libc.epollPoll(this.epfd, this.events);
    const v = new DataView(this.events.buffer, this.events.byteOffset, this.events.byteLength);
    for (let i = 0; i < n; i++) ready.add(Number(v.getBigUint64(i * libc.EPOLL_EVENT_SIZE + 4, true)));
    return ready;
  }

  /**
   * Counts for `fds` in order. Small batches are read directly (one read
   * each is cheaper than an epoll_wait through ffi); larger ones ask epoll
   * which fired and read only those, so a quiet vector costs a Set lookup.
   * An fd that is not in this set (closed, or another host's) is read
   * directly.
   */
  drainSync(fds: readonly EventFd[]): number[] {
    const DIRECT_BELOW = 4;
    const out = new Array<number>(fds.length).fill(0);
    if (fds.length < DIRECT_BELOW) {
      for (let i = 0; i < fds.length; i++) out[i] = drainOne(fds[i]!);
      return out;
    }
    const ready = this.readySync();
    for (let i = 0; i < fds.length; i++) {
      const f = fds[i]!;
      if (ready.has(f.fd) || !this.registered.has(f)) out[i] = drainOne(f);
    }
    return out;
  }

  releaseSync(): void {
    if (this.epfd >= 0) libc.close(this.epfd);
    this.epfd = -1;
    this.members = 0;
  }
}
