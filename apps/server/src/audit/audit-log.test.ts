import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const who = { tokenId: 'op', role: 'operator', remote: '127.0.0.1' };

describe('AuditLog (write-ahead, group commit)', () => {
  it('gives every concurrent intent its own durable record and id, and every result its intent id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const log = new AuditLog(join(dir, 'audit.log'));
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => log.intent({ action: 'dma.map', ...who, params: { i } })));
    expect(new Set(ids).size).toBe(50);
    await Promise.all(ids.map((id) => log.result(id, { action: 'dma.map', ...who, ok: true, status: 200 })));
    await log.close();
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { phase: string; id: string });
    expect(lines).toHaveLength(100);
    for (const id of ids) {
      const at = lines.findIndex((l) => l.id === id && l.phase === 'intent');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(lines.findIndex((l) => l.id === id && l.phase === 'result')).toBeGreaterThan(at);
    }
  });

  it('refuses every record of a batch the disk refuses, with the errno', async () => {
    const log = new AuditLog('/dev/full');
    const tries = await Promise.allSettled([
      log.intent({ action: 'group.open', ...who, params: {} }),
      log.intent({ action: 'device.reset', ...who, params: {} }),
    ]);
    expect(tries.map((t) => (t.status === 'rejected' ? (t.reason as NodeJS.ErrnoException).code : 'written'))).toEqual([
      'ENOSPC',
      'ENOSPC',
    ]);
    await log.close();
  });
});
