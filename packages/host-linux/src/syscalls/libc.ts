/**
 * The syscall seam: the only module in vfioscope that imports ffi-rs. Each
 * function is one libc call; a failing call (-1 with errno) throws
 * VfioError.fromErrno with the operation named as the kernel names it (the
 * ioctl's name, or the syscall's).
 *
 * How memory crosses the boundary (checked against real ioctls: FIONREAD on a
 * pipe, TCGETS on /dev/null, an eventfd read):
 * - A Buffer/Uint8Array passed as DataType.U8Array reaches C as a pointer to
 *   the array's own bytes (a subarray points at its offset), so what the
 *   kernel writes into an ioctl struct is visible in the same array
 *   afterwards. The pointer is only valid during the call: never for memory
 *   the kernel keeps (DMA memory comes from mmap instead).
 * - Addresses (mmap results, DMA vaddrs, file offsets) travel as BigInt (i64).
 * - createExternalBuffer gives a zero-copy Buffer over mmap'ed memory; it must
 *   not be touched after munmap (DmaBuffer guards that).
 * Cost: one ffi-rs call costs ~4-15 µs on the development machine (argument
 * marshalling), against ~1 µs for Node's own fs.readSync/writeSync; in the
 * bed's TCG guest 0.5-2 ms, several times the ioctl it makes for a small DMA
 * map (bench/baselines/dma-vs-c.txt). So the
 * hot path (eventfd counter reads and writes) uses node:fs, which makes the
 * same read(2)/write(2); everything else goes through libc.
 */
import { readSync, writeSync } from 'node:fs';
import { DataType, createExternalBuffer, createPointer, load, open as ffiOpen, unwrapPointer } from 'ffi-rs';
import { VfioError, type VfioErrorContext } from '@vfioscope/host';

const LIB = 'libc';
let opened = false;

function lib(): string {
  if (!opened) {
    // path '' = the process's own symbols, which include glibc
    ffiOpen({ library: LIB, path: '' });
    opened = true;
  }
  return LIB;
}

type Param = DataType;

interface CallResult<T> {
  value: T;
  errnoCode: number;
}

function raw<T>(funcName: string, retType: DataType, paramsType: Param[], paramsValue: unknown[]): CallResult<T> {
  return load({ library: lib(), funcName, retType, paramsType, paramsValue, errno: true }) as unknown as CallResult<T>;
}

/**
 * Calls that can block for long — MAP_DMA pins every page it maps (hundreds
 * of ms per GiB), a reset can wait on the device — run on a thread of their
 * own (ffi-rs runInNewThread; errno is that thread's, and what the kernel
 * writes into an argument array is visible in it afterwards, as with a call
 * on this thread), so the event loop keeps serving every client's stream.
 * They go through one lane, one at a time in call order: the kernel sees them
 * in the order vfioscope issued them, as it did when they ran here.
 * VFIOSCOPE_IOCTL_THREAD=0 runs them on the event loop (bench/ measures both).
 */
let lane: Promise<unknown> = Promise.resolve();
/** calls queued in the lane or running there */
let laneBusy = 0;
const OFF_THREAD = process.env.VFIOSCOPE_IOCTL_THREAD !== '0';

function rawOffThread<T>(funcName: string, retType: DataType, paramsType: Param[], paramsValue: unknown[]): Promise<CallResult<T>> {
  const run = async (): Promise<CallResult<T>> => {
    try {
      if (!OFF_THREAD) return raw<T>(funcName, retType, paramsType, paramsValue);
      const call = load({ library: lib(), funcName, retType, paramsType, paramsValue, errno: true, runInNewThread: true });
      return (await call) as unknown as CallResult<T>;
    } finally {
      laneBusy--;
    }
  };
  laneBusy++;
  const result = lane.then(run, run);
  lane = result.catch(() => undefined);
  return result;
}

/** Call and throw on a negative result. */
function check<T extends number | bigint>(op: string, what: string, r: CallResult<T>, context?: VfioErrorContext): T {
  if (r.value < 0) {
    throw VfioError.fromErrno(r.errnoCode, op, `${what} failed`, context);
  }
  return r.value;
}

// ---- open flags and friends (x86_64 Linux) ----------------------------------
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_ANONYMOUS = 0x20;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLLIN = 0x001;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
/** struct epoll_event is packed on x86_64: u32 events, u64 data */
export const EPOLL_EVENT_SIZE = 12;
export const EAGAIN = 11;

export function openFile(path: string, flags: number, context?: VfioErrorContext): number {
  return check('open', `open ${path}`, raw<number>('open', DataType.I32, [DataType.String, DataType.I32], [path, flags]), {
    path,
    ...context,
  });
}

export function close(fd: number, context?: VfioErrorContext): void {
  check('close', `close fd ${fd}`, raw<number>('close', DataType.I32, [DataType.I32], [fd]), context);
}

/**
 * Where ioctl structs cross into C on the event loop: one page of this process's memory, mapped
 * once, whose address goes to ioctl as a plain integer, and this thread's errno read from its own
 * address after a -1. ffi-rs marshals a U8Array argument per call (a descriptor object built in
 * its JS wrapper, then the array resolved natively) and errno: true builds a result object per
 * call; on the development machine an ioctl cost ~32 µs that way against ~13-15 µs this way, and
 * in the bed's TCG guest the marshalling took longer than the 4 KiB MAP_DMA it carried
 * (bench/baselines/dma-vs-c.txt). The struct is copied in before the call and back after it,
 * failed or not, so the caller's array holds what the kernel wrote (UNMAP_DMA's size), as
 * before. Only synchronous calls use the page — one at a time on this thread; a call on a thread
 * (the lane) keeps its own array and errno: true. errno is read right after the call returns,
 * before any other libc call is made on this thread (allocations that succeed leave it alone).
 */
const ARG_PAGE_BYTES = 4096;
interface ArgPage {
  /** the page's address, as ioctl's third argument (I64: below 2^47, exact as a number) */
  addr: number;
  bytes: Buffer;
  /** this thread's errno (__errno_location: per thread, fixed for the thread's life) */
  errno: Buffer;
}
let argPage: ArgPage | null = null;

function theArgPage(): ArgPage {
  if (argPage === null) {
    const addr = mmap(BigInt(ARG_PAGE_BYTES), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0n);
    const errnoAt = load({ library: lib(), funcName: '__errno_location', retType: DataType.BigInt, paramsType: [], paramsValue: [] });
    argPage = { addr: Number(addr), bytes: viewMemory(addr, ARG_PAGE_BYTES), errno: viewMemory(errnoAt as bigint, 4) };
  }
  return argPage;
}

/** ioctl(fd, request, ptr): `arg` is the encoded struct, updated in place with what the kernel wrote. */
export function ioctlPtr(fd: number, request: number, arg: Uint8Array, op: string, context?: VfioErrorContext): number {
  if (arg.byteLength > ARG_PAGE_BYTES) {
    return check(
      op,
      `ioctl ${op}`,
      raw<number>('ioctl', DataType.I32, [DataType.I32, DataType.I64, DataType.U8Array], [fd, request, arg]),
      context,
    );
  }
  const page = theArgPage();
  page.bytes.set(arg);
  const value = load({
    library: LIB,
    funcName: 'ioctl',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.I64, DataType.I64],
    paramsValue: [fd, request, page.addr],
  }) as number;
  const errnoCode = value < 0 ? page.errno.readInt32LE(0) : 0;
  arg.set(page.bytes.subarray(0, arg.byteLength));
  return check(op, `ioctl ${op}`, { value, errnoCode }, context);
}

/** ioctlPtr off the event loop, in the lane's order (see rawOffThread): for ioctls that can block. */
export async function ioctlPtrBlocking(
  fd: number,
  request: number,
  arg: Uint8Array,
  op: string,
  context?: VfioErrorContext,
): Promise<number> {
  const r = await rawOffThread<number>('ioctl', DataType.I32, [DataType.I32, DataType.I64, DataType.U8Array], [fd, request, arg]);
  return check(op, `ioctl ${op}`, r, context);
}

/**
 * An ioctl that can block, but only briefly: a DMA map or unmap of a few pages, which pins or
 * unpins at most SHORT_PIN_BYTES. With nothing in the lane it runs here, at once (the order the
 * kernel sees is kept: nothing was issued before it that has not finished); a thread hop costs
 * more than such a call blocks. Otherwise it waits its turn in the lane like any blocking call.
 */
export async function ioctlPtrShort(fd: number, request: number, arg: Uint8Array, op: string, context?: VfioErrorContext): Promise<number> {
  if (laneBusy === 0) return ioctlPtr(fd, request, arg, op, context);
  return ioctlPtrBlocking(fd, request, arg, op, context);
}

/**
 * The most a map or unmap through ioctlPtrShort may cover: 2 MiB, 512 pages of 4 KiB pinned or
 * unpinned (type1's vfio_pin_pages_remote, iommufd's pfn batches). In the bed's guest a C loop
 * maps and unmaps 2 MiB in ~0.6 ms under TCG (bench/baselines/dma-vs-c.txt) — on hardware tens of
 * µs — while a 256 MiB map pins for seconds and must stay off the event loop. (One case can
 * unpin more than it names: a type1 v1 container removes every whole mapping an unmap range
 * touches, vfio_dma_do_unmap; v2 refuses a range that splits one.)
 */
export const SHORT_PIN_BYTES = 2n * 1024n * 1024n;

/** ioctlInt off the event loop, in the lane's order: VFIO_DEVICE_RESET and the like. */
export async function ioctlIntBlocking(fd: number, request: number, arg: number, op: string, context?: VfioErrorContext): Promise<number> {
  const r = await rawOffThread<number>('ioctl', DataType.I32, [DataType.I32, DataType.I64, DataType.I64], [fd, request, arg]);
  return check(op, `ioctl ${op}`, r, context);
}

/** ioctl(fd, request, int): for ioctls whose argument is a plain integer (CHECK_EXTENSION, SET_IOMMU) or none. */
export function ioctlInt(fd: number, request: number, arg: number, op: string, context?: VfioErrorContext): number {
  return check(
    op,
    `ioctl ${op}`,
    raw<number>('ioctl', DataType.I32, [DataType.I32, DataType.I64, DataType.I64], [fd, request, arg]),
    context,
  );
}

/** read(2) into buf; returns bytes read, or -EAGAIN (negative) when a non-blocking fd has nothing. */
export function readNonBlocking(fd: number, buf: Uint8Array, op = 'read', context?: VfioErrorContext): number {
  const r = raw<number>('read', DataType.I64, [DataType.I32, DataType.U8Array, DataType.I64], [fd, buf, buf.length]);
  if (r.value < 0 && r.errnoCode === EAGAIN) return -EAGAIN;
  return check(op, `read fd ${fd}`, r, context);
}

export function write(fd: number, buf: Uint8Array, op = 'write', context?: VfioErrorContext): number {
  return check(
    op,
    `write fd ${fd}`,
    raw<number>('write', DataType.I64, [DataType.I32, DataType.U8Array, DataType.I64], [fd, buf, buf.length]),
    context,
  );
}

export function pread(fd: number, buf: Uint8Array, offset: bigint, op = 'pread', context?: VfioErrorContext): number {
  return check(
    op,
    `pread fd ${fd} at 0x${offset.toString(16)}`,
    raw<number>('pread', DataType.I64, [DataType.I32, DataType.U8Array, DataType.I64, DataType.BigInt], [fd, buf, buf.length, offset]),
    context,
  );
}

export function pwrite(fd: number, buf: Uint8Array, offset: bigint, op = 'pwrite', context?: VfioErrorContext): number {
  return check(
    op,
    `pwrite fd ${fd} at 0x${offset.toString(16)}`,
    raw<number>('pwrite', DataType.I64, [DataType.I32, DataType.U8Array, DataType.I64, DataType.BigInt], [fd, buf, buf.length, offset]),
    context,
  );
}

const MAP_FAILED = -1n;

export function mmap(length: bigint, prot: number, flags: number, fd: number, offset: bigint, context?: VfioErrorContext): bigint {
  const r = raw<bigint>(
    'mmap',
    DataType.BigInt,
    [DataType.BigInt, DataType.BigInt, DataType.I32, DataType.I32, DataType.I32, DataType.BigInt],
    [0n, length, prot, flags, fd, offset],
  );
  if (r.value === MAP_FAILED) throw VfioError.fromErrno(r.errnoCode, 'mmap', `mmap of ${length} bytes failed`, context);
  return r.value;
}

export function munmap(addr: bigint, length: bigint, context?: VfioErrorContext): void {
  check(
    'munmap',
    `munmap 0x${addr.toString(16)}`,
    raw<number>('munmap', DataType.I32, [DataType.BigInt, DataType.BigInt], [addr, length]),
    context,
  );
}

/** A zero-copy Buffer over memory this process mapped; valid until munmap. */
export function viewMemory(addr: bigint, length: number): Buffer {
  const [ext] = unwrapPointer(createPointer({ paramsType: [DataType.BigInt], paramsValue: [addr] }));
  return createExternalBuffer(ext!, length);
}

export function eventfd(initval: number, flags: number): number {
  return check('eventfd', 'eventfd', raw<number>('eventfd', DataType.I32, [DataType.I32, DataType.I32], [initval, flags]));
}

export function epollCreate(): number {
  return check('epoll_create1', 'epoll_create1', raw<number>('epoll_create1', DataType.I32, [DataType.I32], [EPOLL_CLOEXEC]));
}

export function epollCtl(epfd: number, op: number, fd: number, events: number): void {
  const ev = Buffer.alloc(EPOLL_EVENT_SIZE);
  ev.writeUInt32LE(events, 0);
  ev.writeBigUInt64LE(BigInt(fd), 4);
  check(
    'epoll_ctl',
    `epoll_ctl fd ${fd}`,
    raw<number>('epoll_ctl', DataType.I32, [DataType.I32, DataType.I32, DataType.I32, DataType.U8Array], [epfd, op, fd, ev]),
  );
}

/** epoll_wait with a zero timeout: fills `events` (n × 12 bytes), returns how many are ready. */
export function epollPoll(epfd: number, events: Uint8Array): number {
  const max = Math.floor(events.length / EPOLL_EVENT_SIZE);
  return check(
    'epoll_wait',
    'epoll_wait',
    raw<number>('epoll_wait', DataType.I32, [DataType.I32, DataType.U8Array, DataType.I32, DataType.I32], [epfd, events, max, 0]),
  );
}

/** pipe2(2): [read end, write end] */
export function pipe(flags = O_CLOEXEC): [number, number] {
  const fds = new Int32Array(2);
  check('pipe2', 'pipe2', raw<number>('pipe2', DataType.I32, [DataType.U8Array, DataType.I32], [new Uint8Array(fds.buffer), flags]));
  return [fds[0]!, fds[1]!];
}

export function getpid(): number {
  return raw<number>('getpid', DataType.I32, [], []).value;
}

export function sysconf(name: number): number {
  return Number(raw<bigint>('sysconf', DataType.BigInt, [DataType.I32], [name]).value);
}
export const _SC_PAGESIZE = 30;

/** Node's fs errors carry the errno name in `code`; keep it. */
function nodeFsErrno(e: unknown): number {
  const errno = (e as NodeJS.ErrnoException | undefined)?.errno;
  return typeof errno === 'number' ? Math.abs(errno) : 5; /* EIO */
}

/**
 * read(2) of an eventfd's 8-byte counter (non-blocking): the count, or 0
 * when it is zero (EAGAIN).
 */
export function readCounter(fd: number, scratch: Buffer, op = 'read', context?: VfioErrorContext): number {
  try {
    readSync(fd, scratch, 0, 8, null);
  } catch (e) {
    const n = nodeFsErrno(e);
    if (n === EAGAIN) return 0;
    throw VfioError.fromErrno(n, op, `read of eventfd ${fd} failed`, context);
  }
  return Number(scratch.readBigUInt64LE(0));
}

/** write(2) of an 8-byte value to an eventfd counter. */
export function writeCounter(fd: number, value: bigint, op = 'write', context?: VfioErrorContext): void {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  try {
    writeSync(fd, b, 0, 8, null);
  } catch (e) {
    throw VfioError.fromErrno(nodeFsErrno(e), op, `write to eventfd ${fd} failed`, context);
  }
}
