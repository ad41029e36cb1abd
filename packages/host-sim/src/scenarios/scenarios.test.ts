import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReaderOf } from '../devices/config-space/capability-walk.ts';
import { PCI_DEVICE_ID, PCI_VENDOR_ID } from '../devices/config-space/pci-regs.ts';
import { createDeviceModel } from '../devices/create-device-model.ts';
import { VFIO_PCI_CONFIG_REGION_INDEX } from '@vfioscope/uapi';
import { builtinScenarios, loadScenario, ScenarioError, validateScenario } from './index.ts';
import type { Scenario, ScenarioDevice } from './scenario-types.ts';

/** vfio's rule: every device bound to vfio-pci / pci-stub, to no driver, or a bridge */
function deviceViable(d: ScenarioDevice): boolean {
  return d.driver === null || d.driver === 'vfio-pci' || d.driver === 'pci-stub' || d.kind === 'pci-bridge';
}

function groups(s: Scenario): Map<number, ScenarioDevice[]> {
  const m = new Map<number, ScenarioDevice[]>();
  for (const d of s.devices) m.set(d.group, [...(m.get(d.group) ?? []), d]);
  return m;
}

const slotOf = (bdf: string) => bdf.slice(0, -2);

/** list[i], or a test failure naming the missing entry */
function nth<T>(list: readonly T[], i: number): T {
  const x = list[i];
  if (x === undefined) throw new Error(`no entry [${i}] in a list of ${list.length}`);
  return x;
}

describe.each(Object.entries(builtinScenarios))('built-in scenario %s', (name, scenario) => {
  it('validates as a scenario file would', () => {
    expect(validateScenario(structuredClone(scenario), name).name).toBe(name);
  });

  it('numbers groups contiguously from 0 and every process holds existing vfio-pci groups', () => {
    const g = groups(scenario);
    expect([...g.keys()].sort((a, b) => a - b)).toEqual([...Array(g.size).keys()]);
    for (const p of scenario.processes) {
      for (const id of p.groups) {
        expect(g.has(id), `group ${id} of pid ${p.pid}`).toBe(true);
        expect(g.get(id)!.every((d) => d.driver === 'vfio-pci' || d.kind === 'pci-bridge')).toBe(true);
      }
    }
    const owned = scenario.processes.flatMap((p) => p.groups);
    expect(new Set(owned).size).toBe(owned.length); // a group has one owner
  });

  it('builds a device model for every device whose config space carries its identity', () => {
    for (const d of scenario.devices) {
      const m = createDeviceModel(d);
      const cfg = configReaderOf(m.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, 64));
      expect([cfg.get16(PCI_VENDOR_ID), cfg.get16(PCI_DEVICE_ID)], d.bdf).toEqual([d.vendorId, d.deviceId]);
    }
  });

  it('points every VF at an existing PF', () => {
    for (const d of scenario.devices.filter((x) => x.kind === 'nic-vf')) {
      expect(scenario.devices.find((x) => x.bdf === d.physfn)?.kind).toBe('nic-pf');
    }
  });
});

describe('default scenario', () => {
  const s = builtinScenarios.default;
  const g = groups(s);

  it('is a 2-socket server with 30–60 groups and the vfioscope limits', () => {
    expect(g.size).toBeGreaterThanOrEqual(30);
    expect(g.size).toBeLessThanOrEqual(60);
    expect(new Set(s.devices.map((d) => d.numaNode))).toEqual(new Set([0, 1]));
    expect(s.memlockLimit).toBe(64 * 1024 * 1024);
    expect(s.dmaEntryLimit).toBe(65535);
  });

  it('has two GPUs, each sharing its group only with its HDMI audio function', () => {
    const gpus = s.devices.filter((d) => d.kind === 'gpu');
    expect(gpus).toHaveLength(2);
    for (const gpu of gpus) {
      const members = g.get(gpu.group)!;
      expect(members.map((d) => d.kind).sort()).toEqual(['gpu', 'gpu-audio']);
      expect(slotOf(nth(members, 0).bdf)).toBe(slotOf(nth(members, 1).bdf));
    }
  });

  it('has an SR-IOV PF with 4–8 VFs, each alone in its group with many MSI-X vectors, one flapping', () => {
    const pf = s.devices.find((d) => d.kind === 'nic-pf' && (d.numVfs ?? 0) > 0)!;
    const vfs = s.devices.filter((d) => d.physfn === pf.bdf);
    expect(vfs.length).toBeGreaterThanOrEqual(4);
    expect(vfs.length).toBeLessThanOrEqual(8);
    expect(pf.numVfs).toBe(vfs.length);
    for (const vf of vfs) {
      expect(g.get(vf.group)).toHaveLength(1);
      expect(vf.msixVectors).toBeGreaterThanOrEqual(16);
    }
    expect(vfs.filter((vf) => vf.irqLoad?.some((l) => l.profile.kind === 'flapping'))).toHaveLength(1);
  });

  it('has several NVMe drives, USB and SATA on host drivers, and a lone edu on vfio-pci', () => {
    expect(s.devices.filter((d) => d.kind === 'nvme').length).toBeGreaterThanOrEqual(3);
    for (const kind of ['usb', 'sata'] as const) {
      const d = s.devices.find((x) => x.kind === kind)!;
      expect(d.driver).not.toBeNull();
      expect(d.driver).not.toBe('vfio-pci');
    }
    const edu = s.devices.find((d) => d.kind === 'edu')!;
    expect(edu.driver).toBe('vfio-pci');
    expect(g.get(edu.group)).toHaveLength(1);
  });

  it('has a bridge group that is not viable because of one host-driver device', () => {
    const blocked = [...g.values()].filter(
      (members) => members.some((d) => d.kind === 'pci-bridge') && members.length > 1 && !members.every(deviceViable),
    );
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.filter((d) => !deviceViable(d))).toHaveLength(1);
  });

  it('has QEMU processes owning vfio-pci groups with steady or bursty load', () => {
    expect(s.processes.length).toBeGreaterThanOrEqual(1);
    for (const p of s.processes) {
      expect(p.comm).toBe('qemu-system-x86');
      expect(p.cmdline).toContain('vfio-pci,host=');
      expect(p.lockedBytes).toBeGreaterThan(0);
      const kinds = p.groups
        .flatMap((id) => g.get(id)!)
        .flatMap((d) => d.irqLoad ?? [])
        .map((l) => l.profile.kind);
      expect(kinds.some((k) => k === 'steady' || k === 'bursty')).toBe(true);
    }
  });
});

describe('edu scenario', () => {
  const s = builtinScenarios.edu;
  const g = groups(s);

  it('mirrors the guest: edu alone in groups 3 and 4 on vfio-pci, an e1000e on its driver, 16 MiB memlock', () => {
    for (const id of [3, 4]) {
      expect(g.get(id)!.map((d) => [d.kind, d.driver])).toEqual([['edu', 'vfio-pci']]);
    }
    expect(s.devices.find((d) => d.deviceId === 0x10d3)?.driver).toBe('e1000e');
    expect(s.memlockLimit).toBe(16 * 1024 * 1024);
  });

  it('has a bridge group with an edu that becomes viable only once the other device is on vfio-pci', () => {
    const members = nth(
      [...g.values()].filter((m) => m.some((d) => d.kind === 'pci-bridge')),
      0,
    );
    expect(members.filter((d) => d.kind === 'edu' && d.driver === 'vfio-pci')).toHaveLength(1);
    expect(members.every(deviceViable)).toBe(false);
    const rebound = members.map((d) => (deviceViable(d) ? d : { ...d, driver: 'vfio-pci' }));
    expect(rebound.every(deviceViable)).toBe(true);
    expect(members.filter((d) => !deviceViable(d))).toHaveLength(1);
  });
});

describe('storm and large scenarios', () => {
  it('storm has an owned MSI-X vector and an INTx line that storm a few seconds in', () => {
    const s = builtinScenarios.storm;
    const owned = new Set(s.processes.flatMap((p) => p.groups));
    const storms = s.devices.flatMap((d) => (d.irqLoad ?? []).filter((l) => l.profile.kind === 'storm').map((l) => ({ d, l })));
    expect(storms.map(({ l }) => l.index).sort()).toEqual(['INTX', 'MSIX']);
    for (const { d, l } of storms) {
      expect(owned.has(d.group)).toBe(true);
      if (l.profile.kind === 'storm') expect(l.profile.startMs).toBeGreaterThanOrEqual(2000);
    }
  });

  it('large has 200+ groups', () => {
    expect(groups(builtinScenarios.large).size).toBeGreaterThanOrEqual(200);
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-scenario-'));
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  it('returns a fresh copy of a built-in scenario', () => {
    const a = loadScenario('edu');
    nth(a.devices, 0).driver = 'changed';
    expect(loadScenario('edu').devices[0]?.driver).toBeNull();
  });

  it('reads a JSON file and accepts hex ids', () => {
    const s = structuredClone(builtinScenarios.edu) as unknown as { devices: Array<Record<string, unknown>> };
    nth(s.devices, 3).vendorId = '0x1234';
    const loaded = loadScenario(file('ok.json', s));
    expect(loaded.devices[3]?.vendorId).toBe(0x1234);
  });

  it('names the missing or wrong field', () => {
    const s = structuredClone(builtinScenarios.edu) as unknown as Record<string, unknown> & { devices: Array<Record<string, unknown>> };
    delete s.hostname;
    delete nth(s.devices, 2).group;
    nth(s.devices, 3).irqLoad = [{ index: 'MSI', vector: 0, profile: { kind: 'steady' } }];
    const p = file('bad.json', s);
    expect(() => loadScenario(p)).toThrow(ScenarioError);
    try {
      loadScenario(p);
    } catch (e) {
      expect((e as ScenarioError).problems).toEqual([
        `${p}.hostname: required string`,
        'devices[2].group: required integer',
        'devices[3].irqLoad[0].profile.rate: required finite number',
      ]);
    }
  });

  it('rejects processes holding groups no device is in, and unknown names', () => {
    const s = structuredClone(builtinScenarios.storm);
    nth(s.processes, 0).groups.push(999);
    expect(() => loadScenario(file('orphan.json', s))).toThrow(/processes\[0\]\.groups\[2\]: no device is in group 999/);
    expect(() => loadScenario('no-such-scenario')).toThrow(/not a built-in scenario/);
    expect(() => loadScenario(file('broken.json', '{'))).toThrow(/not valid JSON/);
  });
});

describe('the kernel a scenario runs', () => {
  it('edu-6.12 and edu-6.12-compat are the edu guest on 6.12 with /dev/iommu and the cdevs, the container served by type1 or iommufd', () => {
    const { edu } = builtinScenarios;
    for (const s of [builtinScenarios['edu-6.12'], builtinScenarios['edu-6.12-compat']]) {
      expect(s.devices).toEqual(edu.devices);
      expect(s.kernel).toMatch(/^6\.12\./);
      expect([s.iommufd, s.cdev]).toEqual([true, true]);
    }
    expect(builtinScenarios['edu-6.12'].iommu).toBe('type1');
    expect(builtinScenarios['edu-6.12-compat'].iommu).toBe('iommufd-compat');
    expect(edu.iommu).toBeUndefined();
  });

  it('rejects a kernel that cannot offer what the scenario asks, and VMs holding cdevs without them', () => {
    const s = structuredClone(builtinScenarios.edu);
    s.cdev = true;
    expect(() => validateScenario(s, 'x')).toThrow(/kernel: kernel 6\.1\.0-28-amd64: the VFIO device cdev needs Linux 6\.6/);
    const v = structuredClone(builtinScenarios.default);
    nth(v.processes, 0).via = 'cdev';
    expect(() => validateScenario(v, 'x')).toThrow(/processes\[0\]\.via: "cdev" needs a kernel with the VFIO device cdev/);
    (v as { iommu?: string }).iommu = 'spapr';
    expect(() => validateScenario(v, 'x')).toThrow(/x\.iommu: expected "type1" or "iommufd-compat"/);
  });

  it('createSimHost options override the scenario’s kernel', async () => {
    const { createSimHost } = await import('../index.ts');
    const host = createSimHost({ scenario: 'edu', kernel: '6.12.95', iommu: 'iommufd-compat' });
    const info = await host.hostInfo();
    expect([info.kernel, info.uapi]).toEqual(['6.12.95', { container: 'iommufd-compat', iommufd: true, cdev: true }]);
    expect(() => createSimHost({ scenario: 'edu', cdev: true })).toThrow(/6\.6/);
    expect((await createSimHost({ scenario: 'edu-6.12', cdev: false }).hostInfo()).uapi.cdev).toBe(false);
  });
});
