/**
 * Region read/write (pread/pwrite on the device fd at the region's offset):
 * operator only, writes confirmed. A "0x…" value is written as a
 * little-endian integer of the chosen width (how registers are written);
 * anything else is taken as bytes in memory order.
 */
import { useMemo, useState } from 'react';
import { bytesToHex, hexToBytes, parseU64, REGION_IO_MAX, type RegionView } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { regionRead, regionWrite } from './device-actions.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

function toLittleEndian(value: bigint, width: number): string | null {
  if (value >= 1n << BigInt(width * 8)) return null;
  const bytes = new Uint8Array(width);
  for (let i = 0; i < width; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytesToHex(bytes);
}

/** the hex-pairs string to send, or an error message */
function encodeData(input: string, width: number): { data: string } | { error: string } {
  const t = input.trim().replace(/\s+/g, '');
  if (t === '') return { error: 'enter bytes (e.g. "01000000") or a 0x value' };
  if (/^0x/i.test(t)) {
    const v = parseU64(t);
    if (v === null) return { error: 'not a 64-bit hex value' };
    const data = toLittleEndian(v, width);
    return data === null ? { error: `value does not fit in ${width} bytes` } : { data };
  }
  if (hexToBytes(t) === null) return { error: 'bytes must be whole hex pairs' };
  if (t.length / 2 > REGION_IO_MAX) return { error: `at most ${REGION_IO_MAX} bytes` };
  return { data: t.toLowerCase() };
}

function hexdump(data: string, base: bigint): string {
  const bytes = hexToBytes(data) ?? new Uint8Array();
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const chunk = [...bytes.subarray(i, i + 16)];
    const hexes = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = chunk.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(base + BigInt(i)).toString(16).padStart(8, '0')}  ${hexes.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export function RegionIoPanel({ bdf, regions, disabledReason }: { bdf: string; regions: RegionView[]; disabledReason: string | null }) {
  const { api } = useHostClient();
  const usable = regions.filter((r) => r.size !== '0x0' && (r.flagNames.includes('READ') || r.flagNames.includes('WRITE')));
  const [index, setIndex] = useState<number>(usable[0]?.index ?? 0);
  const [offset, setOffset] = useState('0x0');
  const [size, setSize] = useState('16');
  const [data, setData] = useState('');
  const [width, setWidth] = useState(4);
  const region = usable.find((r) => r.index === index);
  const offsetValue = parseU64(offset.trim());
  const regionSize = region ? (parseU64(region.size) ?? 0n) : 0n;
  const offsetError =
    offsetValue === null ? 'hex (0x…) or decimal' : offsetValue >= regionSize ? `beyond the region (${region?.size})` : null;
  const sizeValue = Number(size);
  const sizeError = !Number.isInteger(sizeValue) || sizeValue < 1 || sizeValue > REGION_IO_MAX ? `1–${REGION_IO_MAX}` : null;
  const encoded = useMemo(() => encodeData(data, width), [data, width]);

  const read = useAction(
    () => regionRead(api, bdf, index, offset.trim(), sizeValue),
    (r) => `read ${r.size} bytes at ${r.offset}`,
  );
  const write = useAction(
    (hexData: string) => regionWrite(api, bdf, index, offset.trim(), hexData),
    (r) => `wrote ${r.written} bytes at ${r.offset}`,
  );
  const reason = disabledReason ?? (region ? null : 'no readable or writable region');

  return (
    <section className="panel" data-testid="region-io">
      <div className="panel-head">
        <h3>Region I/O</h3>
        <span className="faint">pread / pwrite on the device fd</span>
      </div>
      <div className="panel-body stack">
        <div className="region-form">
          <div className="field">
            <label htmlFor="rio-region">Region</label>
            <select id="rio-region" value={index} onChange={(e) => setIndex(Number(e.target.value))} data-testid="rio-region">
              {usable.map((r) => (
                <option key={r.index} value={r.index}>
                  {r.name} (
                  {r.flagNames
                    .filter((f) => f === 'READ' || f === 'WRITE')
                    .map((f) => f[0])
                    .join('')}
                  )
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="rio-offset">Offset</label>
            <input
              id="rio-offset"
              className="mono"
              value={offset}
              onChange={(e) => setOffset(e.target.value)}
              aria-invalid={offsetError !== null}
              data-testid="rio-offset"
            />
            {offsetError ? <span className="invalid">{offsetError}</span> : null}
          </div>
          <div className="field">
            <label htmlFor="rio-size">Read size (bytes)</label>
            <input
              id="rio-size"
              className="mono"
              value={size}
              onChange={(e) => setSize(e.target.value)}
              aria-invalid={sizeError !== null}
              data-testid="rio-size"
              style={{ maxWidth: 120 }}
            />
          </div>
          <div className="actions">
            <ActionButton
              testid="rio-read"
              disabledReason={reason ?? offsetError ?? sizeError}
              pending={read.state.status === 'pending'}
              onClick={() => read.run()}
            >
              Read
            </ActionButton>
            <KernelAnswer state={read.state} testid="rio-read-answer" />
          </div>
        </div>
        {read.state.status === 'ok' ? (
          <pre className="hexdump" data-testid="rio-hexdump" data-hex={read.state.value.data}>
            {hexdump(read.state.value.data, parseU64(read.state.value.offset) ?? 0n)}
          </pre>
        ) : null}
        <div className="region-form">
          <div className="field" style={{ gridColumn: '1 / 3' }}>
            <label htmlFor="rio-data">Write data</label>
            <input
              id="rio-data"
              className="mono"
              placeholder='0x1 (LE integer) or "deadbeef" (bytes)'
              value={data}
              onChange={(e) => setData(e.target.value)}
              data-testid="rio-data"
            />
            <span className="hint">
              {'data' in encoded ? (
                `bytes: ${encoded.data.match(/../g)?.join(' ')}`
              ) : data ? (
                <span className="invalid">{encoded.error}</span>
              ) : (
                '0x… values are written little-endian'
              )}
            </span>
          </div>
          <div className="field">
            <label htmlFor="rio-width">Width for 0x values</label>
            <select id="rio-width" value={width} onChange={(e) => setWidth(Number(e.target.value))} style={{ maxWidth: 120 }}>
              {[1, 2, 4, 8].map((w) => (
                <option key={w} value={w}>
                  {w} byte{w > 1 ? 's' : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <ActionButton
              variant="danger"
              testid="rio-write"
              disabledReason={reason ?? offsetError ?? ('error' in encoded ? encoded.error : null)}
              pending={write.state.status === 'pending'}
              onClick={() => 'data' in encoded && write.run(encoded.data)}
              confirm={{
                title: 'Write to device memory?',
                label: 'Write',
                body: (
                  <>
                    Write <code>{'data' in encoded ? encoded.data : ''}</code> to <strong>{region?.name}</strong> of <code>{bdf}</code> at
                    offset <code>{offset}</code>. Writes to device registers take effect immediately.
                  </>
                ),
              }}
            >
              Write…
            </ActionButton>
            <KernelAnswer state={write.state} testid="rio-write-answer" />
          </div>
        </div>
      </div>
    </section>
  );
}
