/**
 * Writes a recording file (packages/protocol/src/recording/format.ts): gzip,
 * one member per keyframe, a sync flush after every batch (a second's lines),
 * each flushed chunk written with a synchronous write — so what a batch
 * returned from is on its way to the disk, and a crash after it loses
 * nothing before it. A write that fails (ENOSPC: disk full; EIO…) closes the
 * file and says why once; the caller stops recording, never the server.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import { endLine, keyframeLine, type RecordingEndReason, type RecordingHeader } from '@vfioscope/protocol';

export interface WriterFailure {
  reason: Extract<RecordingEndReason, 'disk-full' | 'write-error'>;
  errno: string;
  message: string;
}

/**
 * zlib's level for recordings. 1 (the fastest): the stream is repetitive JSON, so level 1 already
 * shrinks it ~10×, and the recorder runs beside the server it records for hours — level 6 cost ~4× the
 * CPU for ~25 % less disk (bench/recording.bench.ts, bench/baselines/recording.txt).
 */
export const RECORDING_GZIP_LEVEL = 1;

export class RecordingWriter {
  private fd: number | null;
  private gzip: Gzip | null = null;
  private keyframes = 0;
  /** bytes on disk so far (compressed) */
  bytes = 0;
  failure: WriterFailure | null = null;

  /**
   * Creates FILE (never overwrites one: EEXIST) and writes the header.
   * `onFailure` hears once of the write error that closed the file.
   */
  constructor(
    readonly file: string,
    header: RecordingHeader,
    private readonly onFailure: (f: WriterFailure) => void = () => {},
    openFile: (file: string) => number = (f) => openSync(f, 'wx'),
    private readonly level: number = RECORDING_GZIP_LEVEL,
  ) {
    this.fd = openFile(file);
    this.gzip = this.member();
    this.gzip.write(`${JSON.stringify(header)}\n`);
  }

  get open(): boolean {
    return this.fd !== null;
  }

  get keyframeCount(): number {
    return this.keyframes;
  }

  /** Appends lines (each ending in "\n") and flushes them to the file. */
  async append(text: string): Promise<void> {
    if (!this.gzip) return;
    this.gzip.write(text);
    await this.flush();
  }

  /** Starts keyframe n+1: a new gzip member, its marker line first. */
  async keyframe(t: number): Promise<void> {
    if (!this.gzip) return;
    await this.endMember();
    if (this.fd === null) return;
    this.gzip = this.member();
    this.gzip.write(keyframeLine(t, ++this.keyframes));
  }

  /** Writes the end line and closes the file. */
  async close(t: number, reason: RecordingEndReason): Promise<void> {
    if (this.gzip) {
      this.gzip.write(endLine(t, reason));
      await this.endMember();
    }
    this.closeFd();
  }

  private member(): Gzip {
    const gz = createGzip({ level: this.level });
    gz.on('data', (chunk: Buffer) => this.writeChunk(chunk));
    return gz;
  }

  private flush(): Promise<void> {
    const gz = this.gzip;
    if (!gz) return Promise.resolve();
    return new Promise((resolve) => gz.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
  }

  private endMember(): Promise<void> {
    const gz = this.gzip;
    this.gzip = null;
    if (!gz) return Promise.resolve();
    // 'end' (not end's callback, which is 'finish'): the member's last bytes are out only once the readable side ends
    return new Promise((resolve) => {
      gz.once('end', () => resolve());
      gz.end();
    });
  }

  private writeChunk(chunk: Buffer): void {
    if (this.fd === null) return;
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd, chunk, off);
      this.bytes += chunk.length;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const errno = err.code ?? 'EIO';
      this.failure = { reason: errno === 'ENOSPC' || errno === 'EDQUOT' ? 'disk-full' : 'write-error', errno, message: err.message };
      this.gzip = null;
      this.closeFd();
      this.onFailure(this.failure);
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // closing after a failed write: nothing more to lose
    }
    this.fd = null;
  }
}
