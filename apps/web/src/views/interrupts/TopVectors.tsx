/** The busiest interrupt vectors on the host right now, across every owner. */
import { memo } from 'react';
import type { VectorRate } from '@vfioscope/protocol';
import { deviceHref } from '../../app/router.ts';
import { formatCount, formatRate } from '../../format/units.ts';

const Row = memo(function Row({ r, rank, max, hot }: { r: VectorRate; rank: number; max: number; hot: boolean }) {
  return (
    <tr data-testid={`top-${r.key}`} data-rate={r.rate}>
      <td className="num faint">{rank}</td>
      <td className="mono">
        <a href={deviceHref(r.bdf)}>{r.bdf}</a>
      </td>
      <td className="mono">
        {r.index}[{r.vector}]
      </td>
      <td>{r.owner ? `${r.owner.comm} · ${r.owner.pid}` : <span className="faint">vfioscope</span>}</td>
      <td>
        <span className={`badge ${r.source === 'owned' ? 'accent' : 'outline'}`}>
          {r.source === 'owned' ? 'eventfd' : '/proc/interrupts'}
        </span>
      </td>
      <td style={{ width: '22%' }}>
        <div className={`bar ${hot ? 'hot' : ''}`} style={{ width: `${max > 0 ? (r.rate / max) * 100 : 0}%` }} />
      </td>
      <td className="num mono" style={{ color: hot ? 'var(--danger)' : undefined }}>
        {formatRate(r.rate)}
      </td>
      <td className="num mono faint">{formatCount(r.count)}</td>
    </tr>
  );
});

export function TopVectors({ rates, hotKeys, limit }: { rates: VectorRate[]; hotKeys: Set<string>; limit: number }) {
  const top = rates.slice(0, limit);
  const max = top[0]?.rate ?? 0;
  return (
    <table className="data top-table" data-testid="top-vectors">
      <thead>
        <tr>
          <th className="num">#</th>
          <th>Device</th>
          <th>Vector</th>
          <th>Owner</th>
          <th>Source</th>
          <th></th>
          <th className="num">Rate</th>
          <th className="num">Total</th>
        </tr>
      </thead>
      <tbody>
        {top.map((r, i) => (
          <Row key={r.key} r={r} rank={i + 1} max={max} hot={hotKeys.has(r.key)} />
        ))}
        {top.length === 0 ? (
          <tr>
            <td colSpan={8} className="empty">
              No VFIO interrupt vectors are active.
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
