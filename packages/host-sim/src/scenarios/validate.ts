/**
 * Checks that a parsed JSON value is a usable Scenario, with errors that name
 * the offending field (`devices[3].group: required integer`). Numeric ids may
 * be written as hex strings ("0x10de") in files; they come back as numbers.
 */
import { kernelProfile } from '../kernel/kernel-profile.ts';
import { loadProfileProblems } from './load-profile.ts';
import { scriptProblems } from './script/validate-script.ts';
import type { Scenario, ScenarioDeviceKind } from './scenario-types.ts';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid scenario:\n  ${problems.join('\n  ')}`);
  }
}

const KINDS: ScenarioDeviceKind[] = ['edu', 'gpu', 'gpu-audio', 'nic-pf', 'nic-vf', 'nvme', 'pci-bridge', 'usb', 'sata', 'generic'];
const BRIDGE_TYPES = ['root-port', 'downstream', 'upstream', 'pcie-to-pci', 'pci-bridge'];
const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/;

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];

  obj(v: unknown, path: string): Obj | null {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.problems.push(`${path}: required object`);
    return null;
  }

  /** integer or "0x…" hex string; normalises the field in place */
  int(o: Obj, key: string, path: string, opts: { optional?: boolean; min?: number } = {}): void {
    let v = o[key];
    if (v === undefined && opts.optional) return;
    if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) o[key] = v = parseInt(v, 16);
    if (typeof v !== 'number' || !Number.isInteger(v)) this.problems.push(`${path}.${key}: required integer`);
    else if (opts.min !== undefined && v < opts.min) this.problems.push(`${path}.${key}: must be ≥ ${opts.min}, got ${v}`);
  }

  str(o: Obj, key: string, path: string, opts: { optional?: boolean; nullable?: boolean } = {}): void {
    const v = o[key];
    if (v === undefined && opts.optional) return;
    if (v === null && opts.nullable) return;
    if (typeof v !== 'string') this.problems.push(`${path}.${key}: required string${opts.nullable ? ' or null' : ''}`);
  }

  bool(o: Obj, key: string, path: string): void {
    if (typeof o[key] !== 'boolean') this.problems.push(`${path}.${key}: required boolean`);
  }

  nullableInt(o: Obj, key: string, path: string): void {
    if (o[key] !== null) this.int(o, key, path, { min: 0 });
  }
}

function checkDevice(c: Checker, v: unknown, path: string): void {
  const d = c.obj(v, path);
  if (!d) return;
  if (typeof d.bdf !== 'string' || !BDF.test(d.bdf)) c.problems.push(`${path}.bdf: required PCI address like "0000:01:00.0"`);
  if (!KINDS.includes(d.kind as ScenarioDeviceKind)) c.problems.push(`${path}.kind: expected one of ${KINDS.join(', ')}`);
  c.int(d, 'vendorId', path, { min: 0 });
  c.int(d, 'deviceId', path, { min: 0 });
  c.int(d, 'classCode', path, { min: 0 });
  c.int(d, 'group', path, { min: 0 });
  c.str(d, 'driver', path, { nullable: true });
  for (const k of [
    'subsystemVendorId',
    'subsystemDeviceId',
    'numaNode',
    'msixVectors',
    'msiVectors',
    'numVfs',
    'secondaryBus',
    'resetFailsFrom',
  ]) {
    c.int(d, k, path, { optional: true, min: k === 'numaNode' ? -1 : 0 });
  }
  for (const k of ['vendorName', 'deviceName', 'physfn']) c.str(d, k, path, { optional: true });
  for (const k of ['reset', 'multifunction']) {
    if (d[k] !== undefined && typeof d[k] !== 'boolean') c.problems.push(`${path}.${k}: expected boolean`);
  }
  if (d.bridgeType !== undefined && !BRIDGE_TYPES.includes(d.bridgeType as string)) {
    c.problems.push(`${path}.bridgeType: expected one of ${BRIDGE_TYPES.join(', ')}`);
  }
  if (d.bars !== undefined) {
    if (!Array.isArray(d.bars) || d.bars.length > 6 || !d.bars.every((b) => Number.isInteger(b) && b >= 0)) {
      c.problems.push(`${path}.bars: expected up to 6 non-negative integers`);
    }
  }
  if (d.irqLoad !== undefined) {
    if (!Array.isArray(d.irqLoad)) c.problems.push(`${path}.irqLoad: expected an array`);
    else
      d.irqLoad.forEach((l, i) => {
        const lp = `${path}.irqLoad[${i}]`;
        const o = c.obj(l, lp);
        if (!o) return;
        if (!['INTX', 'MSI', 'MSIX'].includes(o.index as string)) c.problems.push(`${lp}.index: expected INTX, MSI or MSIX`);
        if (o.vector !== 'all' && !(Number.isInteger(o.vector) && (o.vector as number) >= 0)) {
          c.problems.push(`${lp}.vector: expected a vector number or "all"`);
        }
        for (const p of loadProfileProblems(o.profile)) c.problems.push(`${lp}.profile.${p}`);
      });
  }
}

function checkProcess(c: Checker, v: unknown, path: string): void {
  const p = c.obj(v, path);
  if (!p) return;
  c.int(p, 'pid', path, { min: 1 });
  c.str(p, 'comm', path);
  c.str(p, 'cmdline', path);
  if (!Array.isArray(p.groups) || !p.groups.every((g) => Number.isInteger(g)))
    c.problems.push(`${path}.groups: required array of group numbers`);
  c.int(p, 'lockedBytes', path, { min: 0 });
  c.int(p, 'pinnedBytes', path, { min: 0 });
  c.nullableInt(p, 'memlockLimit', path);
  if (p.via !== undefined && p.via !== 'group' && p.via !== 'cdev') c.problems.push(`${path}.via: expected "group" or "cdev"`);
}

/** Cross-field rules: unique BDFs, groups that processes hold exist, physfn points at a device. */
function checkConsistency(c: Checker, s: Scenario): void {
  const bdfs = new Set<string>();
  s.devices.forEach((d, i) => {
    if (bdfs.has(d.bdf)) c.problems.push(`devices[${i}].bdf: duplicate ${d.bdf}`);
    bdfs.add(d.bdf);
  });
  s.devices.forEach((d, i) => {
    if (d.physfn !== undefined && !bdfs.has(d.physfn)) c.problems.push(`devices[${i}].physfn: no device ${d.physfn}`);
  });
  let cdev = false;
  try {
    cdev = kernelProfile({ release: s.kernel, iommu: s.iommu, iommufd: s.iommufd, cdev: s.cdev }).uapi.cdev;
  } catch (e) {
    c.problems.push(`kernel: ${(e as Error).message}`);
  }
  s.processes.forEach((p, i) => {
    if (p.via === 'cdev' && !cdev) c.problems.push(`processes[${i}].via: "cdev" needs a kernel with the VFIO device cdev`);
  });
  const groups = new Set(s.devices.map((d) => d.group));
  s.processes.forEach((p, i) => {
    p.groups.forEach((g, j) => {
      if (!groups.has(g)) c.problems.push(`processes[${i}].groups[${j}]: no device is in group ${g}`);
    });
  });
}

/** Validate (and normalise hex ids of) a parsed scenario; throws ScenarioError listing every problem. */
export function validateScenario(value: unknown, source = 'scenario'): Scenario {
  const c = new Checker();
  const s = c.obj(value, source);
  if (!s) throw new ScenarioError(source, c.problems);
  for (const k of ['name', 'description', 'hostname', 'kernel']) c.str(s, k, source);
  c.int(s, 'cpus', source, { min: 1 });
  c.nullableInt(s, 'memlockLimit', source);
  c.int(s, 'dmaEntryLimit', source, { min: 1 });
  c.bool(s, 'allowUnsafeInterrupts', source);
  c.bool(s, 'interruptRemapping', source);
  if (s.iommu !== undefined && s.iommu !== 'type1' && s.iommu !== 'iommufd-compat') {
    c.problems.push(`${source}.iommu: expected "type1" or "iommufd-compat"`);
  }
  for (const k of ['iommufd', 'cdev']) {
    if (s[k] !== undefined && typeof s[k] !== 'boolean') c.problems.push(`${source}.${k}: expected boolean`);
  }
  if (!Array.isArray(s.devices)) c.problems.push(`${source}.devices: required array`);
  else {
    s.devices.forEach((d, i) => {
      checkDevice(c, d, `devices[${i}]`);
    });
  }
  if (!Array.isArray(s.processes)) c.problems.push(`${source}.processes: required array`);
  else {
    s.processes.forEach((p, i) => {
      checkProcess(c, p, `processes[${i}]`);
    });
  }
  if (c.problems.length === 0) checkConsistency(c, s as unknown as Scenario);
  if (c.problems.length === 0 && s.script !== undefined) {
    const scenario = s as unknown as Scenario;
    const processProblems = (v: unknown, path: string) => {
      const pc = new Checker();
      checkProcess(pc, v, path);
      return pc.problems;
    };
    c.problems.push(...scriptProblems(s.script, { devices: scenario.devices, processes: scenario.processes, processProblems }));
  }
  if (c.problems.length > 0) throw new ScenarioError(source, c.problems);
  return s as unknown as Scenario;
}
