/**
 * The kernel log as a stream, from /dev/kmsg (kernel/printk/printk.c
 * devkmsg_open/devkmsg_read): every read(2) returns exactly one record,
 * "pri,seq,ts_usec,flags;text\n" plus dictionary lines starting with a space;
 * a non-blocking fd answers EAGAIN when no record is left, and EPIPE when the
 * record it would return was overwritten in the ring (the next read goes on
 * from the oldest record still there). Opening it needs CAP_SYSLOG unless
 * kernel.dmesg_restrict=0 (check_syslog_permissions: EPERM otherwise).
 *
 * The fd is kept open between calls so each call reads only what is new.
 */
import { join } from 'node:path';
import { type KernelLogRead, type KernelLogRecord, parseKmsgRecord, VfioError } from '@vfioscope/host';
import * as libc from '../syscalls/libc.ts';
import type { LinuxRoots } from './roots.ts';

/** printk's record text is at most 1024 bytes after escaping ×4, plus the dictionary (PRINTKRB_RECORD_MAX) */
const RECORD_BUF = 8192;
/** bound the work of one call; the caller comes back for the rest */
const MAX_RECORDS_PER_CALL = 2000;

export class KmsgReader {
  private fd: number | null = null;
  /** the seq of the last record read from `fd` (−1: none yet) */
  private lastSeq = -1;
  private readonly buf = new Uint8Array(RECORD_BUF);
  private readonly decoder = new TextDecoder();

  constructor(private readonly roots: LinuxRoots) {}

  read(afterSeq: number): KernelLogRead {
    // A consumer asking for records we have already read past: start over from the ring's oldest.
    if (this.fd !== null && afterSeq < this.lastSeq) this.close();
    if (this.fd === null) {
      const path = join(this.roots.dev, 'kmsg');
      try {
        this.fd = libc.openFile(path, libc.O_RDONLY | libc.O_NONBLOCK | libc.O_CLOEXEC);
        this.lastSeq = -1;
      } catch (e) {
        if (!(e instanceof VfioError)) throw e;
        const denied = e.errno === 'EPERM' || e.errno === 'EACCES';
        return {
          ok: false,
          errno: e.errno,
          reason: denied
            ? `open ${path}: ${e.errno}: reading the kernel log needs CAP_SYSLOG or sysctl kernel.dmesg_restrict=0`
            : `open ${path}: ${e.errno}`,
        };
      }
    }
    const fd = this.fd;
    const records: KernelLogRecord[] = [];
    let lost = 0;
    for (let i = 0; i < MAX_RECORDS_PER_CALL; i++) {
      let n: number;
      try {
        n = libc.readNonBlocking(fd, this.buf, 'read /dev/kmsg');
      } catch (e) {
        // EPIPE: overwritten before we read it; the fd has moved on to the oldest record left.
        if (e instanceof VfioError && e.errno === 'EPIPE') {
          lost++;
          continue;
        }
        throw e;
      }
      if (n <= 0) break; // -EAGAIN: nothing more now
      const record = parseKmsgRecord(this.decoder.decode(this.buf.subarray(0, n)));
      if (!record) continue;
      this.lastSeq = record.seq;
      if (record.seq <= afterSeq) continue;
      records.push(record);
    }
    const nextSeq = records.length > 0 ? (records[records.length - 1]?.seq ?? afterSeq) : Math.max(afterSeq, this.lastSeq);
    return { ok: true, records, nextSeq, lost };
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    libc.close(fd);
  }
}
