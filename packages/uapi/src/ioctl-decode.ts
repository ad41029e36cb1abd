/**
 * Naming an ioctl request number, e.g. one read from strace output. VFIO
 * and iommufd numbers are looked up in the table; since VFIO reuses numbers
 * across fd kinds, one number can name several ioctls. Anything else is
 * split into its generic _IOC fields.
 */
import { iocDecode, type IocFields } from './ioc.ts';
import { VFIO_IOCTL_TABLE, type IoctlEntry } from './ioctl-table.ts';

export interface DecodedIoctl extends IocFields {
  number: number;
  /** "0x3b6d", as strace prints it */
  hex: string;
  /** every VFIO or iommufd ioctl with this number (container/group/device/iommufd), empty if none */
  matches: IoctlEntry[];
  /** the ioctl names joined with " | ", or the generic _IOC spelling */
  name: string;
}

export function ioctlHex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Parse "0x3b6d", "15213" or "0X3B6D" into a request number; null when it is not one. */
export function parseIoctlNumber(text: string): number | null {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && n >= 0 && n <= 0xffffffff ? n : null;
}

export function decodeIoctl(n: number): DecodedIoctl {
  const fields = iocDecode(n);
  const matches = VFIO_IOCTL_TABLE.filter((e) => e.number === n);
  const name = matches.length > 0 ? matches.map((e) => e.name).join(' | ') : genericName(fields);
  return { ...fields, number: n, hex: ioctlHex(n), matches, name };
}

const MACRO = { none: '_IO', read: '_IOR', write: '_IOW', readwrite: '_IOWR' } as const;

/** The way the request would be written in C, e.g. _IOR('T', 0x13, 8). */
function genericName(f: IocFields): string {
  const type =
    f.type >= 0x20 && f.type < 0x7f && f.type !== 0x27 && f.type !== 0x5c ? `'${String.fromCharCode(f.type)}'` : `0x${f.type.toString(16)}`;
  const nr = `0x${f.nr.toString(16)}`;
  return f.dir === 'none' ? `${MACRO.none}(${type}, ${nr})` : `${MACRO[f.dir]}(${type}, ${nr}, ${f.size})`;
}
