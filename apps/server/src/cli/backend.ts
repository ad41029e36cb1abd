/**
 * Open the chosen Host backend: the sim with a scenario (built-in name or a
 * JSON file), or the real kernel. The linux backend is imported only when
 * asked for, so the sim never loads the native ffi module.
 */
import type { Host } from '@vfioscope/host';
import { UsageError } from './args.ts';

export type BackendKind = 'sim' | 'linux';

export function backendKind(v: string | undefined): BackendKind {
  if (v === undefined || v === 'sim') return 'sim';
  if (v === 'linux') return 'linux';
  throw new UsageError(`--backend must be "sim" or "linux", got "${v}"`);
}

export async function openBackend(kind: BackendKind, scenario: string | undefined): Promise<Host> {
  if (kind === 'linux') {
    if (scenario !== undefined) throw new UsageError('--scenario applies to the sim backend only');
    const { createLinuxHost } = await import('@vfioscope/host-linux');
    return createLinuxHost();
  }
  const { createSimHost, loadScenario } = await import('@vfioscope/host-sim');
  return createSimHost({ scenario: loadScenario(scenario ?? 'default') });
}

export async function builtinScenarioList(): Promise<{ name: string; description: string; devices: number; groups: number }[]> {
  const { builtinScenarios } = await import('@vfioscope/host-sim');
  return Object.entries(builtinScenarios).map(([name, s]) => ({
    name,
    description: s.description,
    devices: s.devices.length,
    groups: new Set(s.devices.map((d) => d.group)).size,
  }));
}
