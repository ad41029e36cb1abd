/** The device fd's regions (VFIO_DEVICE_GET_REGION_INFO): PCI's fixed index map, absent ones with size 0. */
import { useState } from 'react';
import type { RegionView } from '@vfioscope/protocol';
import { parseU64 } from '@vfioscope/protocol';
import { formatBytes } from '../../format/units.ts';

export function RegionsPanel({ regions }: { regions: RegionView[] }) {
  const [showAbsent, setShowAbsent] = useState(false);
  const absent = regions.filter((r) => (parseU64(r.size) ?? 0n) === 0n).length;
  const shown = showAbsent ? regions : regions.filter((r) => (parseU64(r.size) ?? 0n) !== 0n);
  return (
    <section className="panel" data-testid="regions">
      <div className="panel-head">
        <h3>Regions</h3>
        <span className="faint">VFIO_DEVICE_GET_REGION_INFO</span>
        <span className="spacer" />
        {absent ? (
          <button type="button" className="btn ghost small" onClick={() => setShowAbsent((v) => !v)} data-testid="regions-toggle-absent">
            {showAbsent ? 'hide absent' : `+${absent} absent (size 0)`}
          </button>
        ) : null}
      </div>
      <div className="panel-body flush">
        <table className="data">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Name</th>
              <th className="num">Size</th>
              <th>Offset</th>
              <th>Access</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const size = parseU64(r.size) ?? 0n;
              return (
                <tr key={r.index} className={size === 0n ? 'absent' : ''} data-testid={`region-${r.index}`}>
                  <td className="num mono">{r.index}</td>
                  <td>{r.name}</td>
                  <td className="num mono">{size === 0n ? '—' : formatBytes(size)}</td>
                  <td className="mono">{r.offset}</td>
                  <td>
                    <span className="flags">
                      {['READ', 'WRITE', 'MMAP'].map((f) => (
                        <span
                          key={f}
                          className={`badge ${r.flagNames.includes(f) ? 'info' : 'outline'}`}
                          style={{ opacity: r.flagNames.includes(f) ? 1 : 0.35 }}
                        >
                          {f[0]}
                        </span>
                      ))}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
