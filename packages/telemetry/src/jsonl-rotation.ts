/**
 * Names of a JSON-lines file's rotated archives: `<path>.<n>`, n counting up
 * from 1, the newest archive holding the highest n. Nothing is ever renamed
 * twice — a rename chain (.1 → .2 → …) would touch every archive on each
 * rotation and, interrupted by a crash, leave two files with one name's
 * history — and pruning deletes from the lowest n up.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export type RotationEvent =
  | { type: 'rotated'; file: string; to: string; bytes: number }
  | { type: 'deleted'; file: string }
  | { type: 'delete-failed'; file: string; error: Error };

export const rotatedName = (path: string, n: number): string => `${path}.${n}`;

/** The n of every existing archive of `path`, ascending. */
export function listRotated(path: string): number[] {
  const prefix = `${basename(path)}.`;
  const out: number[] = [];
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    // only names this module writes: no leading zeros, so n ↔ name is one-to-one
    if (/^[1-9][0-9]{0,15}$/.test(rest)) out.push(Number(rest));
  }
  return out.sort((a, b) => a - b);
}

/**
 * Deletes the oldest archives until `keep` remain; `numbers` (ascending) is
 * updated in place. A deletion that fails is reported and dropped from the
 * list, so one undeletable file does not stop rotation.
 */
export function pruneRotated(path: string, numbers: number[], keep: number | 'all', report: (e: RotationEvent) => void): void {
  if (keep === 'all') return;
  while (numbers.length > keep) {
    const n = numbers.shift();
    if (n === undefined) break;
    const file = rotatedName(path, n);
    try {
      unlinkSync(file);
      report({ type: 'deleted', file });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') report({ type: 'delete-failed', file, error: err as Error });
    }
  }
}

export const archivePaths = (path: string, numbers: readonly number[]): string[] => numbers.map((n) => rotatedName(path, n));
