/** What a device kind contributes: the hardware spec plus model options beyond the scenario's. */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { PciFunctionSpec } from '../pci-function-spec.ts';

export interface KindResult {
  spec: PciFunctionSpec;
  /** registers with a power-on value in BAR memory */
  initialRegisters?: Array<{ bar: number; offset: number; bytes: Uint8Array }>;
}

export type KindDescriptor = (dev: ScenarioDevice) => KindResult;
