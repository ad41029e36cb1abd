/**
 * One /dev/kmsg record: "pri,seq,ts_usec,flags[,…];text\n" followed by
 * dictionary lines that start with a space (" SUBSYSTEM=pci", " DEVICE=+pci:0000:00:04.0").
 * kernel/printk/printk.c devkmsg_read() / info_print_ext_header(); the text
 * escapes non-printable bytes as \xNN (msg_add_ext_text), which we undo for
 * the printable ones the kernel escapes ('\\' itself).
 */
import type { KernelLogRecord } from './kernel-record.ts';
import { parseKernelMessage } from './parse-kernel-message.ts';

export function parseKmsgRecord(raw: string): KernelLogRecord | undefined {
  const semi = raw.indexOf(';');
  if (semi < 0) return undefined;
  const [pri, seq, ts] = raw.slice(0, semi).split(',');
  if (pri === undefined || seq === undefined || ts === undefined) return undefined;
  const nl = raw.indexOf('\n', semi);
  const text = unescapeKmsg(raw.slice(semi + 1, nl < 0 ? undefined : nl));
  const record: KernelLogRecord = { seq: Number(seq), priority: Number(pri), tsUsec: Number(ts), text };
  if (!Number.isFinite(record.seq) || !Number.isFinite(record.priority)) return undefined;
  const message = parseKernelMessage(text);
  if (message) record.message = message;
  return record;
}

function unescapeKmsg(s: string): string {
  return s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
