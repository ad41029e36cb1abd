/**
 * The way out of a refused DMA action, from the server's hint (ProblemHint)
 * next to the kernel's errno: ENOMEM says how much is left under which limit
 * and the three ways out; EEXIST offers the next free IOVA of the same size;
 * EINVAL on an unmap names the mapping the range would split and offers the
 * whole of it. Each offer is a button that fills the form, never an action.
 */
import type { ProblemHint } from '@vfioscope/protocol';
import { formatBytes } from '../../format/units.ts';

export function DmaAdvice(props: {
  hint: ProblemHint;
  /** fill the map form's IOVA */
  onIova?: (iova: string) => void;
  /** fill the map form's size, in bytes */
  onSize?: (bytes: number) => void;
  /** fill the unmap form's range */
  onRange?: (iova: string, size: bigint) => void;
}) {
  const h = props.hint;
  if (h.kind === 'memlock') {
    const left = h.limitBytes === null ? null : Math.max(0, h.limitBytes - h.lockedBytes);
    return (
      <div className="dma-advice" data-testid="dma-advice" data-kind="memlock">
        <div>
          {h.limitBytes === null ? (
            <>vfioscope has no RLIMIT_MEMLOCK, yet the kernel could not pin: the host is short of memory it can lock.</>
          ) : (
            <>
              vfioscope has <strong>{formatBytes(h.lockedBytes)}</strong> of its <strong>{formatBytes(h.limitBytes)}</strong> RLIMIT_MEMLOCK
              locked — <strong data-testid="dma-advice-left">{formatBytes(left)}</strong> left; this map needs{' '}
              <strong>{formatBytes(h.neededBytes)}</strong>.
            </>
          )}
        </div>
        <ul className="plain-list">
          <li>
            Map less
            {left !== null && left > 0 && props.onSize ? (
              <>
                {' '}
                — at most {formatBytes(left)} fits now{' '}
                <button type="button" className="btn ghost small" onClick={() => props.onSize?.(left)} data-testid="dma-advice-use-left">
                  Map {formatBytes(left)} instead
                </button>
              </>
            ) : (
              '.'
            )}
          </li>
          <li>Unmap something: every mapped page stays pinned, and charged, until it is unmapped.</li>
          <li>
            Raise the limit: <code>LimitMEMLOCK=</code> in vfioscope's systemd unit (<code>systemctl edit vfioscope</code>), or{' '}
            <code>ulimit -l</code> in the shell that starts it — then restart vfioscope.
          </li>
        </ul>
      </div>
    );
  }
  if (h.kind === 'free-iova') {
    return (
      <div className="dma-advice" data-testid="dma-advice" data-kind="free-iova">
        That range overlaps a mapping. The next free range of this size starts at <code>{h.iova}</code>{' '}
        {props.onIova ? (
          <button type="button" className="btn ghost small" onClick={() => props.onIova?.(h.iova)} data-testid="dma-advice-use-iova">
            Use {h.iova}
          </button>
        ) : null}
      </div>
    );
  }
  const first = h.mappings[0];
  const start = h.mappings.reduce((m, x) => (BigInt(x.iova) < m ? BigInt(x.iova) : m), first ? BigInt(first.iova) : 0n);
  const end = h.mappings.reduce((m, x) => (BigInt(x.iova) + BigInt(x.size) > m ? BigInt(x.iova) + BigInt(x.size) : m), 0n);
  return (
    <div className="dma-advice" data-testid="dma-advice" data-kind="split">
      Type1 unmaps whole mappings only; this range would split{' '}
      {h.mappings.map((m, i) => (
        <span key={m.iova}>
          {i ? ' and ' : ''}
          the mapping <code data-testid="dma-advice-split">{m.iova}</code> ({formatBytes(BigInt(m.size))})
        </span>
      ))}
      .{' '}
      {props.onRange && h.mappings.length ? (
        <button
          type="button"
          className="btn ghost small"
          onClick={() => props.onRange?.(`0x${start.toString(16)}`, end - start)}
          data-testid="dma-advice-use-range"
        >
          Unmap {h.mappings.length === 1 ? 'the whole mapping' : 'the whole mappings'} instead
        </button>
      ) : null}
    </div>
  );
}
