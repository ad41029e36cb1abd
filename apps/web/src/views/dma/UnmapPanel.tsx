/**
 * VFIO_IOMMU_UNMAP_DMA: the selected rows (one request each, as the kernel
 * unmaps whole mappings), an IOVA range (a range that bisects a mapping is
 * refused with EINVAL), or everything (VFIO_DMA_UNMAP_FLAG_ALL).
 */
import { useState } from 'react';
import { toHex64, type MappingRow, type UnmapResponse } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { formatBytes, parseAddress, parseSize, SIZE_UNIT_NAMES } from '../../format/units.ts';
import { unmapDma } from './dma-actions.ts';
import { DmaAdvice } from './DmaAdvice.tsx';
import { useHostClient } from '../../host/HostClientProvider.tsx';

function summarise(results: UnmapResponse[]): string {
  const bytes = results.reduce((n, r) => n + BigInt(r.unmappedBytes), 0n);
  const removed = results.reduce((n, r) => n + r.removed, 0);
  return `unmapped ${removed} mapping${removed === 1 ? '' : 's'}, ${formatBytes(bytes)}`;
}

export function UnmapPanel(props: { container: number; selected: MappingRow[]; onDone: () => void }) {
  const { api } = useHostClient();
  const [iova, setIova] = useState('');
  const [size, setSize] = useState('');
  const [unit, setUnit] = useState('MiB');
  const [last, setLast] = useState<'selected' | 'range' | 'all'>('selected');
  const unmapSelected = useAction(async (rows: MappingRow[]) => {
    const out: UnmapResponse[] = [];
    for (const r of rows) out.push(await unmapDma(api, props.container, { iova: r.iova, size: r.size }));
    props.onDone();
    return out;
  }, summarise);
  const unmapRange = useAction(
    (a: bigint, s: bigint) => unmapDma(api, props.container, { iova: toHex64(a), size: toHex64(s) }).then((r) => [r]),
    summarise,
  );
  const unmapAll = useAction(() => unmapDma(api, props.container, { all: true }).then((r) => [r]), summarise);
  const a = parseAddress(iova);
  const s = parseSize(size, unit);
  const rangeError =
    iova === '' && size === ''
      ? 'enter an IOVA range'
      : a === null
        ? 'IOVA must be hex or decimal'
        : s === null || s === 0n
          ? 'size must be a nonzero number'
          : null;
  const state = last === 'selected' ? unmapSelected.state : last === 'range' ? unmapRange.state : unmapAll.state;
  return (
    <div className="stack" data-testid="unmap-panel">
      <div className="row">
        <ActionButton
          variant="danger"
          testid="unmap-selected"
          disabledReason={props.selected.length === 0 ? 'select rows in the table' : null}
          pending={unmapSelected.state.status === 'pending'}
          onClick={() => {
            setLast('selected');
            unmapSelected.run(props.selected);
          }}
        >
          Unmap {props.selected.length || ''} selected
        </ActionButton>
        <ActionButton
          variant="ghost"
          testid="unmap-all"
          pending={unmapAll.state.status === 'pending'}
          onClick={() => {
            setLast('all');
            unmapAll.run();
          }}
          confirm={{
            title: `Unmap everything in container ${props.container}?`,
            label: 'Unmap all',
            body: 'VFIO_IOMMU_UNMAP_DMA with VFIO_DMA_UNMAP_FLAG_ALL removes every mapping and unpins its pages.',
          }}
        >
          Unmap all…
        </ActionButton>
      </div>
      <div className="field">
        <span className="field-label">Unmap range</span>
        <div className="size-input">
          <input
            className="mono"
            placeholder="IOVA 0x…"
            value={iova}
            onChange={(e) => setIova(e.target.value)}
            data-testid="unmap-iova"
            aria-label="unmap IOVA"
          />
          <input
            className="mono"
            placeholder="size"
            value={size}
            onChange={(e) => setSize(e.target.value)}
            data-testid="unmap-size"
            aria-label="unmap size"
            style={{ maxWidth: 80 }}
          />
          <select value={unit} onChange={(e) => setUnit(e.target.value)} aria-label="unmap size unit">
            {SIZE_UNIT_NAMES.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
          <ActionButton
            testid="unmap-range"
            disabledReason={rangeError}
            pending={unmapRange.state.status === 'pending'}
            onClick={() => {
              setLast('range');
              unmapRange.run(a!, s!);
            }}
          >
            Unmap
          </ActionButton>
        </div>
      </div>
      <KernelAnswer state={state} testid="unmap-answer" />
      {state.status === 'error' && state.error.hint ? (
        <DmaAdvice
          hint={state.error.hint}
          onRange={(start, bytes) => {
            setIova(start);
            setSize(`0x${bytes.toString(16)}`);
            setUnit('B');
          }}
        />
      ) : null}
    </div>
  );
}
