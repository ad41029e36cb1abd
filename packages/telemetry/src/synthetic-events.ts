/**
 * Synthetic event-log files for tests and the bench: lines exactly as
 * EventLog writes them (`{...fields, seq, ts}`), shaped like what a busy
 * server logs — DMA map actions with their parameters, an error every 50th
 * event — about 290 bytes each, so 150 000 of them make a 43 MB file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LogEvent } from './event-log-types.ts';

export function syntheticEvent(seq: number): LogEvent {
  const container = seq % 7;
  const iova = `0x${(0x1_0000_0000 + seq * 0x1000).toString(16)}`;
  const params = { container, vaddr: `0x7f${(seq * 0x1000).toString(16).padStart(10, '0')}`, iova, size: '0x1000', flags: 3 };
  const fields =
    seq % 50 === 0
      ? {
          kind: 'error' as const,
          message: `mapDma container ${container} failed: EEXIST iova ${iova} already mapped`,
          op: 'mapDma',
          actor: 'op (operator)',
          container,
          errno: 'EEXIST',
          data: { params, failedOp: 'VFIO_IOMMU_MAP_DMA' },
        }
      : {
          kind: 'action' as const,
          message: `mapDma container ${container}`,
          op: 'mapDma',
          actor: 'op (operator)',
          container,
          data: { params, result: { pinnedPages: seq % 4096, mappings: seq % 65535 } },
        };
  return { ...fields, seq, ts: 1_700_000_000_000 + seq * 10 };
}

export interface SyntheticFile {
  /** events written: seq 1..count */
  count: number;
  bytes: number;
}

/**
 * Writes events 1, 2, … until `count` events or `bytes` bytes, whichever
 * comes first, in 4 MiB batches; `override` replaces chosen events (e.g. a
 * needle for a text search).
 */
export function writeSyntheticEvents(
  path: string,
  limits: { count?: number; bytes?: number },
  override: (seq: number) => LogEvent | undefined = () => undefined,
): SyntheticFile {
  const maxCount = limits.count ?? Number.POSITIVE_INFINITY;
  const maxBytes = limits.bytes ?? Number.POSITIVE_INFINITY;
  const fd = openSync(path, 'w', 0o600);
  let bytes = 0;
  let seq = 0;
  try {
    let batch: string[] = [];
    let batchBytes = 0;
    const flush = () => {
      writeSync(fd, batch.join(''));
      batch = [];
      batchBytes = 0;
    };
    while (seq < maxCount) {
      const line = `${JSON.stringify(override(seq + 1) ?? syntheticEvent(seq + 1))}\n`;
      const size = Buffer.byteLength(line);
      if (bytes + size > maxBytes) break;
      seq++;
      bytes += size;
      batch.push(line);
      batchBytes += size;
      if (batchBytes >= 4 * 1024 * 1024) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { count: seq, bytes };
}
