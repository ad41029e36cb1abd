/**
 * The map form's checks: what the operator typed, parsed, then judged by the
 * same rule the server and the session apply (dmaMapProblem, through
 * @vfioscope/protocol) with the errno this container's IOMMU path would
 * answer — so the form never says "fine" to what the kernel refuses, nor the
 * other way round. A bad request is stopped here; an overlap is only warned
 * about, so the kernel's own EEXIST answer can be seen.
 */
import { dmaMapProblem, type IommuKind } from '@vfioscope/protocol';
import { parseAddress, parseSize } from '../../format/units.ts';

export interface MapInput {
  iova: string;
  size: string;
  unit: string;
  read: boolean;
  write: boolean;
}

export interface MapCheck {
  iova: bigint | null;
  size: bigint | null;
  errors: Partial<Record<'iova' | 'size' | 'flags', string>>;
}

export function checkMap(input: MapInput, pageSize: number, ranges: { start: string; end: string }[], kind: IommuKind): MapCheck {
  const errors: MapCheck['errors'] = {};
  const iova = parseAddress(input.iova);
  const size = parseSize(input.size, input.unit);
  if (iova === null) errors.iova = 'IOVA must be hex (0x…) or decimal';
  if (size === null) errors.size = 'size must be a number of whole bytes';
  if (iova !== null && size !== null) {
    const problem = dmaMapProblem(
      kind,
      { iova, size },
      { pageSize, ranges: ranges.map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) })) },
    );
    if (problem) errors[problem.field] = `${problem.errno}: ${problem.message}`;
  }
  if (!input.read && !input.write) errors.flags = 'READ or WRITE (or both) is required';
  return { iova, size, errors };
}
