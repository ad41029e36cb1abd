/**
 * An event as the wire contract has it. The event log outlives upgrades: a
 * line an older vfioscope wrote may not fit today's LogEvent union (a field
 * it lacked, a kind it spelled otherwise). Such a line is carried as an
 * `info` event with the original entry whole in `data.original` — never
 * dropped, and never a 500 from the response serializer for the whole page.
 */
import { conforms, LogEvent } from '@vfioscope/protocol';

export function eventView(e: unknown): LogEvent {
  if (conforms(LogEvent, e)) return e;
  const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  return {
    seq: typeof o.seq === 'number' ? o.seq : 0,
    ts: typeof o.ts === 'number' ? o.ts : 0,
    kind: 'info',
    op: 'older-format',
    message: typeof o.message === 'string' ? o.message : `an event of kind ${String(o.kind)} in an older format`,
    data: { original: o },
  };
}
