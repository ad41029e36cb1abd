/**
 * Helpers the per-kind descriptors share: applying a scenario's BAR sizes and
 * vector counts over a kind's default layout, and placing an MSI-X table and
 * PBA inside their BAR.
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { BarSpec, MsiSpec, MsixSpec, PciFunctionSpec } from '../pci-function-spec.ts';

const MSIX_ENTRY = 16;

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/**
 * The BARs of a function: the kind's layout, unless the scenario lists sizes.
 * Listed sizes are authoritative (0 = absent); each keeps the kind's type at
 * that slot, or becomes a 32-bit BAR (64-bit when larger than 1 GiB and the
 * next slot is free).
 */
export function resolveBars(defaults: BarSpec[], dev: ScenarioDevice): BarSpec[] {
  if (!dev.bars) return defaults.map((b) => ({ ...b }));
  const out: BarSpec[] = [];
  for (let index = 0; index < 6; index++) {
    const size = dev.bars[index] ?? 0;
    if (!size) continue;
    const base = defaults.find((b) => b.index === index);
    let bar: BarSpec;
    if (base) bar = { ...base, size };
    else {
      const wide = size > 2 ** 30 && index < 5 && !dev.bars[index + 1];
      bar = { index, kind: wide ? 'mem64' : 'mem32', size, prefetchable: wide };
    }
    out.push(bar);
    if (bar.kind === 'mem64') index++; // the upper half is not a BAR of its own
  }
  return out;
}

/** MSI with the scenario's vector count (rounded up to a power of two, max 32); undefined = no MSI. */
export function resolveMsi(defaultVectors: number, dev: ScenarioDevice, extra: Omit<MsiSpec, 'vectors'> = {}): MsiSpec | undefined {
  const n = dev.msiVectors ?? defaultVectors;
  if (!n) return undefined;
  return { vectors: Math.min(32, nextPowerOfTwo(n)), ...extra };
}

/**
 * MSI-X with the scenario's vector count, its table at `tableOffset` in
 * `bar` and the PBA on the next 4 KiB boundary after it; the BAR grows (to a
 * power of two) when the table would not fit.
 */
export function resolveMsix(
  defaultVectors: number,
  dev: ScenarioDevice,
  bars: BarSpec[],
  where: { bar: number; tableOffset: number },
): MsixSpec | undefined {
  const vectors = dev.msixVectors ?? defaultVectors;
  if (!vectors) return undefined;
  let bar = bars.find((b) => b.index === where.bar && b.kind !== 'io');
  if (!bar) {
    bar = { index: where.bar, kind: 'mem32', size: 4096 };
    bars.push(bar);
    bars.sort((a, b) => a.index - b.index);
  }
  const tableEnd = where.tableOffset + vectors * MSIX_ENTRY;
  const pbaOffset = Math.ceil(tableEnd / 4096) * 4096;
  const pbaEnd = pbaOffset + Math.ceil(vectors / 64) * 8;
  if (pbaEnd > bar.size) bar.size = nextPowerOfTwo(pbaEnd);
  return { vectors, tableBar: where.bar, tableOffset: where.tableOffset, pbaBar: where.bar, pbaOffset };
}

/** Identity fields every kind takes from the scenario device. */
export function identity(
  dev: ScenarioDevice,
  revision: number,
): Pick<PciFunctionSpec, 'vendorId' | 'deviceId' | 'subsystemVendorId' | 'subsystemDeviceId' | 'classCode' | 'revision'> {
  return {
    vendorId: dev.vendorId,
    deviceId: dev.deviceId,
    subsystemVendorId: dev.subsystemVendorId ?? dev.vendorId,
    subsystemDeviceId: dev.subsystemDeviceId ?? 0,
    classCode: dev.classCode,
    revision,
  };
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
