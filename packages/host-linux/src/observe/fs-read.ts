/**
 * Small tolerant readers for sysfs/procfs attributes. Attributes come and go
 * (devices unplug, processes exit) between listing and reading, so a missing
 * file is an answer (null / empty), not an error.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { VfioError } from '@vfioscope/host';

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function readTrimmed(path: string): string | null {
  const t = readText(path);
  return t === null ? null : t.trim();
}

/** A sysfs hex attribute such as "0x8086\n". */
export function readHex(path: string): number | null {
  const t = readTrimmed(path);
  if (t === null || t === '') return null;
  const n = Number.parseInt(t, 16);
  return Number.isNaN(n) ? null : n;
}

export function readInt(path: string): number | null {
  const t = readTrimmed(path);
  if (t === null || t === '') return null;
  const n = Number.parseInt(t, 10);
  return Number.isNaN(n) ? null : n;
}

export function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

export function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** The last path component of a symlink target (sysfs driver / iommu_group links). */
export function linkBase(path: string): string | null {
  const t = readLink(path);
  if (t === null) return null;
  const parts = t.split('/');
  return parts[parts.length - 1] || null;
}

/** Turn a Node fs error into a VfioError that keeps the errno name. */
export function fsError(e: unknown, op: string, message: string, context?: Record<string, unknown>): VfioError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const n = code ? (osConstants.errno as Record<string, number>)[code] : undefined;
  const detail = e instanceof Error ? e.message : String(e);
  return VfioError.fromErrno(n ?? 5 /* EIO */, op, `${message}: ${detail}`, context);
}
