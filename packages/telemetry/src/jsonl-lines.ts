/**
 * Reading a JSON-lines file in bounded chunks — forwards from a line start,
 * backwards from one — so no caller ever holds a whole file: the event log
 * pages through files of hundreds of MiB this way. Lines are split on the
 * byte 0x0a, which never occurs inside a UTF-8 multi-byte sequence, so every
 * offset here is a byte offset and a chunk boundary never splits a decoded
 * character. Every byte read is counted, so callers can hold a read to a
 * budget and tests can assert what a read cost.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export const READ_CHUNK_BYTES = 64 * 1024;

/** One complete line: its text without the '\n', where it starts and where the next line starts. */
export interface JsonLine {
  readonly offset: number;
  readonly end: number;
  readonly text: string;
}

export interface ReadCounter {
  bytes: number;
}

export const NL = 0x0a;

/** pread until `buf` is full or the file ends; returns the bytes read */
function readAt(fd: number, buf: Buffer, position: number, counter: ReadCounter): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  counter.bytes += got;
  return got;
}

/**
 * Reads [start, end) forwards a chunk at a time into one buffer reused for
 * the whole read (fresh 64 KiB Buffers per chunk are external memory that
 * drives V8 into full GCs). After advance(), `buf[0, len)` holds the bytes
 * the caller kept, then the new chunk; `buf[0]` is at file offset `base`.
 */
export class ForwardChunks {
  buf: Buffer;
  len = 0;
  base: number;
  private pos: number;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
    private readonly counter: ReadCounter,
    private readonly chunkBytes = READ_CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunkBytes);
    this.base = this.pos = start;
  }

  /** keep buf[keepFrom, len) and read the next chunk after it; false at the end */
  advance(keepFrom: number): boolean {
    if (this.pos >= this.end) return false;
    const keep = this.len - keepFrom;
    const n = Math.min(this.chunkBytes, this.end - this.pos);
    if (keep + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(2 * (keep + n));
      this.buf.copy(bigger, 0, keepFrom, this.len);
      this.buf = bigger;
    } else {
      this.buf.copyWithin(0, keepFrom, this.len);
    }
    const got = readAt(this.fd, this.buf.subarray(keep, keep + n), this.pos, this.counter);
    this.base += keepFrom;
    this.pos += got;
    this.len = keep + got;
    return got > 0;
  }
}

/** The same backwards: after advance(), `buf[0, len)` holds the new chunk, then the bytes the caller kept. */
export class BackwardChunks {
  buf: Buffer;
  len = 0;
  base: number;

  constructor(
    private readonly fd: number,
    end: number,
    private readonly floor: number,
    private readonly counter: ReadCounter,
    private readonly chunkBytes = READ_CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunkBytes);
    this.base = end;
  }

  /** keep buf[0, keepTo) and read the chunk before it; false at the floor, or if the file shrank under us */
  advance(keepTo: number): boolean {
    if (this.base <= this.floor) return false;
    const n = Math.min(this.chunkBytes, this.base - this.floor);
    if (n + keepTo > this.buf.length) {
      const bigger = Buffer.allocUnsafe(2 * (n + keepTo));
      this.buf.copy(bigger, n, 0, keepTo);
      this.buf = bigger;
    } else {
      this.buf.copyWithin(n, 0, keepTo);
    }
    if (readAt(this.fd, this.buf.subarray(0, n), this.base - n, this.counter) < n) return false;
    this.base -= n;
    this.len = n + keepTo;
    return true;
  }
}

/**
 * The complete lines in [start, end), oldest first. `start` must be a line
 * start; a line still open at `end` is not yielded. Lazy: a caller that stops
 * early has read only the chunks it consumed. Returns the last line, like
 * the searches in jsonl-search.ts.
 */
export function* linesForward(
  fd: number,
  start: number,
  end: number,
  counter: ReadCounter,
  chunkBytes = READ_CHUNK_BYTES,
): Generator<JsonLine, JsonLine | undefined> {
  let last: JsonLine | undefined;
  const c = new ForwardChunks(fd, start, end, counter, chunkBytes);
  // buf[from, len) is a line not complete yet: kept for the next chunk
  let from = 0;
  while (c.advance(from)) {
    const data = c.buf.subarray(0, c.len);
    from = 0;
    for (let nl = data.indexOf(NL); nl !== -1; nl = data.indexOf(NL, from)) {
      last = { offset: c.base + from, end: c.base + nl + 1, text: data.toString('utf8', from, nl) };
      yield last;
      from = nl + 1;
    }
  }
  return last;
}

/**
 * The complete lines in [floor, end), newest first. Bytes after the last
 * '\n' before `end` belong to no complete line and are skipped. The bytes
 * at `floor` start a line only when `floorIsLineStart` (offset 0 always
 * does); otherwise the partial line there is left out. Returns the last
 * (oldest) line.
 */
export function* linesBackward(
  fd: number,
  end: number,
  floor: number,
  floorIsLineStart: boolean,
  counter: ReadCounter,
  chunkBytes = READ_CHUNK_BYTES,
): Generator<JsonLine, JsonLine | undefined> {
  let last: JsonLine | undefined;
  const c = new BackwardChunks(fd, end, floor, counter, chunkBytes);
  // buf[0, keep): the end of a line whose start is not read yet, with its '\n'
  let keep = 0;
  let lastNewlineFound = false;
  while (c.advance(keep)) {
    const data = c.buf.subarray(0, c.len);
    let lineEnd = data.length;
    if (!lastNewlineFound) {
      const lastNl = data.lastIndexOf(NL);
      if (lastNl === -1) {
        keep = 0; // all of it is an unterminated tail
        continue;
      }
      lineEnd = lastNl + 1;
      lastNewlineFound = true;
    }
    // lastIndexOf with a negative offset counts from the end, hence the guard
    for (
      let nl = lineEnd >= 2 ? data.lastIndexOf(NL, lineEnd - 2) : -1;
      nl !== -1;
      nl = lineEnd >= 2 ? data.lastIndexOf(NL, lineEnd - 2) : -1
    ) {
      last = { offset: c.base + nl + 1, end: c.base + lineEnd, text: data.toString('utf8', nl + 1, lineEnd - 1) };
      yield last;
      lineEnd = nl + 1;
    }
    keep = lineEnd;
  }
  if (floorIsLineStart && lastNewlineFound && keep > 0 && c.base === floor) {
    last = { offset: floor, end: floor + keep, text: c.buf.toString('utf8', 0, keep - 1) };
    yield last;
  }
  return last;
}

export interface TailOptions {
  /** at most this many lines (default: no limit besides maxBytes) */
  maxLines?: number;
  /** read at most this many bytes from the end (default 1 MiB) */
  maxBytes?: number;
}

/** The last complete lines of an open file of `size` bytes, oldest first. */
export function tailLines(fd: number, size: number, opts: TailOptions, counter: ReadCounter): JsonLine[] {
  const maxLines = opts.maxLines ?? Number.POSITIVE_INFINITY;
  const floor = Math.max(0, size - (opts.maxBytes ?? 1024 * 1024));
  const out: JsonLine[] = [];
  if (maxLines <= 0) return out;
  for (const line of linesBackward(fd, size, floor, floor === 0, counter)) {
    out.push(line);
    if (out.length >= maxLines) break;
  }
  return out.reverse();
}

/** tailLines for a file that is not open, e.g. a rotated archive; [] when it does not exist. */
export function readJsonLinesTail(path: string, opts: TailOptions = {}): JsonLine[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    return tailLines(fd, fstatSync(fd).size, opts, { bytes: 0 });
  } finally {
    closeSync(fd);
  }
}
