/** VFIO_IOMMU_MAP_DMA: vfioscope allocates the memory and maps it at the IOVA given here. */
import { useMemo, useState } from 'react';
import { toHex64, type IommuKind, type MappingRow } from '@vfioscope/protocol';
import { ActionButton } from '../../components/ActionButton.tsx';
import { KernelAnswer } from '../../components/KernelAnswer.tsx';
import { useAction } from '../../components/useAction.ts';
import { formatBytes, SIZE_UNIT_NAMES } from '../../format/units.ts';
import { checkMap, type MapInput } from './map-validation.ts';
import { findOverlap } from './mapping-sort.ts';
import { mapDma } from './dma-actions.ts';
import { DmaAdvice } from './DmaAdvice.tsx';
import { useHostClient } from '../../host/HostClientProvider.tsx';

/** bytes as the form's number and unit: the largest unit that divides it */
function sizeFields(bytes: number): { size: string; unit: string } {
  for (const [unit, scale] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const)
    if (bytes % scale === 0) return { size: String(bytes / scale), unit };
  return { size: String(bytes), unit: 'B' };
}

export function MapForm(props: {
  container: number;
  /** who serves the container: the form judges a request as that path's kernel would */
  kind: IommuKind;
  pageSize: number;
  ranges: { start: string; end: string }[];
  rows: Map<string, MappingRow>;
}) {
  const { api } = useHostClient();
  const [input, setInput] = useState<MapInput>({ iova: '0x100000', size: '2', unit: 'MiB', read: true, write: true });
  const [touched, setTouched] = useState(false);
  const check = useMemo(() => checkMap(input, props.pageSize, props.ranges, props.kind), [input, props.pageSize, props.ranges, props.kind]);
  const overlap = useMemo(
    () =>
      check.iova !== null && check.size !== null && Object.keys(check.errors).length === 0
        ? findOverlap(props.rows.values(), check.iova, check.size)
        : null,
    [check, props.rows],
  );
  const map = useAction(
    async () => {
      const r = await mapDma(api, props.container, {
        iova: toHex64(check.iova!),
        size: toHex64(check.size!),
        flags: [...(input.read ? ['read' as const] : []), ...(input.write ? ['write' as const] : [])],
      });
      // the next map most likely goes right after this one
      setInput((s) => ({ ...s, iova: toHex64(BigInt(r.mapping.iova) + BigInt(r.mapping.size)) }));
      return r;
    },
    (r) => `mapped ${formatBytes(BigInt(r.mapping.size))} at ${r.mapping.iova} (${r.mapping.pages} pages pinned)`,
  );
  const invalid = Object.keys(check.errors).length > 0;
  const set = (p: Partial<MapInput>) => {
    setTouched(true);
    setInput((s) => ({ ...s, ...p }));
  };
  const show = (f: 'iova' | 'size' | 'flags') => (touched || invalid) && check.errors[f];
  return (
    <form
      className="map-form"
      data-testid="map-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!invalid) map.run();
      }}
    >
      <div className="field">
        <label htmlFor="map-iova">IOVA</label>
        <input
          id="map-iova"
          className="mono"
          value={input.iova}
          onChange={(e) => set({ iova: e.target.value })}
          aria-invalid={!!check.errors.iova}
          data-testid="map-iova"
        />
        {show('iova') ? (
          <span className="invalid" data-testid="map-iova-error">
            {check.errors.iova}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="map-size">Size</label>
        <div className="size-input">
          <input
            id="map-size"
            className="mono"
            value={input.size}
            onChange={(e) => set({ size: e.target.value })}
            aria-invalid={!!check.errors.size}
            data-testid="map-size"
          />
          <select value={input.unit} onChange={(e) => set({ unit: e.target.value })} data-testid="map-unit" aria-label="size unit">
            {SIZE_UNIT_NAMES.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </div>
        {show('size') ? (
          <span className="invalid" data-testid="map-size-error">
            {check.errors.size}
          </span>
        ) : check.size ? (
          <span className="hint">
            {formatBytes(check.size)} · {(check.size / BigInt(props.pageSize)).toString()} pages
          </span>
        ) : null}
      </div>
      <div className="field">
        <span className="field-label">Flags</span>
        <div className="row">
          <label className="check">
            <input type="checkbox" checked={input.read} onChange={(e) => set({ read: e.target.checked })} data-testid="map-read" /> READ
          </label>
          <label className="check">
            <input type="checkbox" checked={input.write} onChange={(e) => set({ write: e.target.checked })} data-testid="map-write" /> WRITE
          </label>
        </div>
        {show('flags') ? <span className="invalid">{check.errors.flags}</span> : null}
      </div>
      {overlap ? (
        <span className="hint warn-text" data-testid="map-overlap-warning">
          overlaps the mapping at {overlap.iova} — the kernel will refuse it (EEXIST)
        </span>
      ) : null}
      <div className="row">
        <ActionButton
          variant="primary"
          testid="map-submit"
          disabledReason={invalid ? 'fix the highlighted fields' : null}
          pending={map.state.status === 'pending'}
          onClick={() => map.run()}
        >
          Map DMA
        </ActionButton>
      </div>
      <KernelAnswer state={map.state} testid="map-answer" />
      {map.state.status === 'error' && map.state.error.hint ? (
        <DmaAdvice
          hint={map.state.error.hint}
          onIova={(iova) => set({ iova })}
          onSize={(bytes) => set(sizeFields(bytes - (bytes % props.pageSize)))}
        />
      ) : null}
    </form>
  );
}
