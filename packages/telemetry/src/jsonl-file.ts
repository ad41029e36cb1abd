/**
 * An append-only JSON-lines file (one record per line), shared by the event
 * log and the audit log. What it promises:
 *  - a record is in the file completely, or — when append() throws — not at
 *    all: a failed or short write (ENOSPC, EIO, EFBIG) is cut back off with
 *    ftruncate, so readers never meet half a record we wrote;
 *  - opening reads only the last byte: a file that does not end in '\n' (torn
 *    by a crash mid-write) gets one, so the next record starts its own line
 *    and the torn one stays an unparseable line readers skip;
 *  - rotation when the next record would take the file past `maxBytes`:
 *    the file becomes `<path>.<n>` (see jsonl-rotation.ts) and the oldest
 *    archives beyond `keep` are deleted;
 *  - reads in bounded chunks only (jsonl-lines.ts, jsonl-search.ts), never
 *    the whole file.
 * Synchronous on purpose: callers (the audit log) answer only after the
 * record is written.
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { type JsonLine, linesBackward, linesForward, type ReadCounter, tailLines, type TailOptions } from './jsonl-lines.ts';
import { archivePaths, listRotated, pruneRotated, rotatedName, type RotationEvent } from './jsonl-rotation.ts';
import { type LineSearch, searchBackward, searchForward } from './jsonl-search.ts';

export interface JsonLinesFileOptions {
  /** rotate when the next line would take the file past this many bytes (default 64 MiB); a longer line still goes into an empty file */
  maxBytes?: number;
  /** rotated files to keep, oldest deleted first; 'all' never deletes (default 'all') */
  keep?: number | 'all';
  /**
   * 'fdatasync' flushes every append to the disk before append() returns; 'group' leaves the flush to
   * syncAsync(), so one flush can cover many appends (a rotation still flushes the file it closes);
   * default 'none'
   */
  sync?: 'fdatasync' | 'group' | 'none';
  /** told about every rotation and deletion, e.g. to log it; called synchronously from append() */
  onRotate?: (e: RotationEvent) => void;
}

export interface LineReadOptions {
  /** read at most this many bytes (default: no bound but the file; reads stay chunked) */
  maxBytes?: number;
  /** bytes per read (default 64 KiB); a seek probe that wants one line reads less */
  chunkBytes?: number;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const NEWLINE = Buffer.from('\n');

export class JsonLinesFile {
  private fd: number;
  private bytes: number;
  private readonly maxBytes: number;
  private readonly keep: number | 'all';
  private readonly sync: boolean;
  private readonly syncOnRotate: boolean;
  private readonly rotated: number[];
  private rotations = 0;
  private readonly counter: ReadCounter = { bytes: 0 };
  /** the file ends in a torn line that could not be terminated yet (disk full at open) */
  private needsNewline = false;

  constructor(
    readonly path: string,
    private readonly opts: JsonLinesFileOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.keep = opts.keep ?? 'all';
    this.sync = opts.sync === 'fdatasync';
    this.syncOnRotate = opts.sync !== undefined && opts.sync !== 'none';
    if (!(this.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${this.maxBytes}`);
    if (this.keep !== 'all' && !(Number.isInteger(this.keep) && this.keep >= 0))
      throw new RangeError(`keep must be a count or 'all', got ${this.keep}`);
    mkdirSync(dirname(path), { recursive: true });
    // a+: appends always land at the end, and pread works for the tail reads
    this.fd = openSync(path, 'a+', 0o600);
    this.bytes = fstatSync(this.fd).size;
    this.rotated = listRotated(path);
    pruneRotated(path, this.rotated, this.keep, (e) => this.report(e));
    this.terminateTornTail();
  }

  /** bytes in the current file */
  get size(): number {
    return this.bytes;
  }

  /** rotations since open: a change means offsets into the file from before are void */
  get generation(): number {
    return this.rotations;
  }

  /** bytes read from the file since open, by every read method */
  get bytesRead(): number {
    return this.counter.bytes;
  }

  /** the rotated archives, oldest first */
  archives(): string[] {
    return archivePaths(this.path, this.rotated);
  }

  /**
   * Writes `line` + '\n' and returns the byte offset the line starts at in
   * the (possibly just rotated) current file. On failure the file is cut
   * back to its size before the call and the original error is thrown (its
   * errno `code` intact).
   */
  append(line: string): number {
    return this.appendLines([line]);
  }

  /**
   * Writes several lines in one write(2) — all of them, or (on failure, after the cut back) none — and
   * returns the offset of the first.
   */
  appendLines(lines: readonly string[]): number {
    if (lines.some((l) => l.includes('\n'))) throw new RangeError('a JSON line cannot contain a newline');
    const body = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    if (this.bytes > 0 && this.bytes + body.length + (this.needsNewline ? 1 : 0) > this.maxBytes) this.rotate();
    this.writeRecord(this.needsNewline ? Buffer.concat([NEWLINE, body]) : body);
    this.needsNewline = false;
    return this.bytes - body.length;
  }

  /**
   * fdatasync(2) off the event loop: every line appended before the call is on the disk when it resolves.
   * A rotation meanwhile has flushed and closed the file already, so that file's EBADF counts as done.
   */
  syncAsync(): Promise<void> {
    const fd = this.fd;
    const generation = this.rotations;
    return new Promise((resolve, reject) => {
      fdatasync(fd, (err) => {
        if (err && !(err.code === 'EBADF' && this.rotations !== generation)) reject(err);
        else resolve();
      });
    });
  }

  /** The last complete lines, oldest first, reading at most `maxBytes` (default 1 MiB). */
  readTail(opts: TailOptions = {}): JsonLine[] {
    return tailLines(this.fd, this.bytes, opts, this.counter);
  }

  /**
   * Complete lines from `offset` (a line start) towards the end, lazily, in
   * chunks; the generator returns the last line it read.
   */
  linesFrom(offset: number, opts: LineReadOptions = {}): Generator<JsonLine, JsonLine | undefined> {
    return linesForward(this.fd, offset, this.forwardEnd(offset, opts), this.counter, opts.chunkBytes);
  }

  /**
   * Complete lines before `offset` (a line start, or the size), newest first,
   * lazily in chunks; a line cut by the `maxBytes` bound is left out. The
   * generator returns the oldest line it read.
   */
  linesBefore(offset: number, opts: LineReadOptions = {}): Generator<JsonLine, JsonLine | undefined> {
    const end = Math.min(this.bytes, offset);
    const floor = this.backwardFloor(end, opts);
    return linesBackward(this.fd, end, floor, floor === 0, this.counter, opts.chunkBytes);
  }

  /** linesFrom, yielding only the lines that contain a needle; returns the last complete line read, match or not. */
  searchFrom(offset: number, search: LineSearch, opts: LineReadOptions = {}): Generator<JsonLine, JsonLine | undefined> {
    return searchForward(this.fd, offset, this.forwardEnd(offset, opts), search, this.counter, opts.chunkBytes);
  }

  /** linesBefore, yielding only the lines that contain a needle; returns the oldest complete line read, match or not. */
  searchBefore(offset: number, search: LineSearch, opts: LineReadOptions = {}): Generator<JsonLine, JsonLine | undefined> {
    const end = Math.min(this.bytes, offset);
    const floor = this.backwardFloor(end, opts);
    return searchBackward(this.fd, end, floor, floor === 0, search, this.counter, opts.chunkBytes);
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private forwardEnd(offset: number, opts: LineReadOptions): number {
    return Math.min(this.bytes, offset + (opts.maxBytes ?? Number.POSITIVE_INFINITY));
  }

  private backwardFloor(end: number, opts: LineReadOptions): number {
    return Math.max(0, end - (opts.maxBytes ?? Number.POSITIVE_INFINITY));
  }

  private writeRecord(record: Buffer): void {
    const before = this.bytes;
    let done = 0;
    try {
      // a regular file can take fewer bytes than asked (RLIMIT_FSIZE, a full disk): write the rest
      while (done < record.length) done += writeSync(this.fd, record, done, record.length - done);
      if (this.sync) fdatasyncSync(this.fd);
    } catch (err) {
      if (done > 0) this.rollBack(before);
      throw err;
    }
    this.bytes = before + record.length;
  }

  /** cut a failed record back off; if even that fails, the next record starts on a fresh line */
  private rollBack(before: number): void {
    try {
      ftruncateSync(this.fd, before);
    } catch {
      try {
        this.bytes = fstatSync(this.fd).size;
      } catch {
        this.bytes = before;
      }
      this.needsNewline = this.bytes > before;
    }
  }

  private terminateTornTail(): void {
    if (this.bytes === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.bytes - 1);
    this.counter.bytes += 1;
    if (last[0] === 0x0a) return;
    this.needsNewline = true;
    try {
      this.writeRecord(NEWLINE);
      this.needsNewline = false;
    } catch {
      // no room even for one byte: the next append() writes the '\n' first
    }
  }

  private rotate(): void {
    const n = (this.rotated.at(-1) ?? 0) + 1;
    const to = rotatedName(this.path, n);
    renameSync(this.path, to);
    let fd: number;
    try {
      fd = openSync(this.path, 'a+', 0o600);
    } catch (err) {
      // keep writing where we were rather than nowhere
      try {
        renameSync(to, this.path);
      } catch {
        // the original error says more
      }
      throw err;
    }
    const bytes = this.bytes;
    // what was appended to the old file must be durable before it is closed (its flush may be pending)
    if (this.syncOnRotate) fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = fd;
    this.bytes = 0;
    this.needsNewline = false;
    this.rotations++;
    this.rotated.push(n);
    if (this.syncOnRotate) this.syncDirectory();
    this.report({ type: 'rotated', file: this.path, to, bytes });
    pruneRotated(this.path, this.rotated, this.keep, (e) => this.report(e));
  }

  /** make the rename itself durable, as the records in the renamed file already are */
  private syncDirectory(): void {
    try {
      const dir = openSync(dirname(this.path), 'r');
      try {
        fdatasyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // the rotation is done either way; a crash now costs at most the rename
    }
  }

  private report(e: RotationEvent): void {
    try {
      this.opts.onRotate?.(e);
    } catch {
      // a listener's failure is not the file's
    }
  }
}

export type { JsonLine, LineSearch, RotationEvent, TailOptions };
