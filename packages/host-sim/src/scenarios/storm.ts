/**
 * The storm scenario: the edu guest topology plus an E810 behind a root port
 * whose first VF (owned by a QEMU VM) goes into an MSI-X interrupt storm 3 s
 * after start, and a legacy INTx-only serial card, also owned by the VM,
 * whose INTx starts storming at 5 s (an unmask loop: QEMU's resample path
 * unmasks as fast as the line re-fires). Used by telemetry and browser tests.
 */
import { bdf, e810WithVfs, GiB, GroupCounter, load, MiB, rootPort } from './build-helpers.ts';
import { eduScenario } from './edu.ts';
import type { Scenario, ScenarioDevice } from './scenario-types.ts';

/** When the MSI-X storm starts, ms after scenario start. */
export const STORM_MSIX_START_MS = 3000;
/** When the INTx storm starts, ms after scenario start. */
export const STORM_INTX_START_MS = 5000;

function build(): Scenario {
  // bus 00 is discovered first: 00:00–00:05 keep the edu groups 0–5, the new root
  // port and serial card take 6 and 7, the ICH9 functions move to 8
  const devices: ScenarioDevice[] = eduScenario.devices.map((d) => ({ ...d, group: d.group === 6 ? 8 : d.group }));
  devices.push(rootPort(bdf(0, 6, 0), 6, 2, -1));
  const serial: ScenarioDevice = {
    bdf: bdf(0, 7, 0),
    kind: 'generic',
    vendorId: 0x1415,
    deviceId: 0xc158,
    subsystemVendorId: 0x1415,
    subsystemDeviceId: 0xc158,
    classCode: 0x070002,
    vendorName: 'Oxford Semiconductor Ltd',
    deviceName: 'OXPCIe952 Dual Native 950 UART',
    group: 7,
    driver: 'vfio-pci',
    numaNode: -1,
    msiVectors: 0,
    msixVectors: 0,
    reset: false,
    bars: [16 * 1024, 0, 0, 0, 0, 0],
    irqLoad: [load('INTX', 0, { kind: 'storm', base: 5, rate: 40000, startMs: STORM_INTX_START_MS })],
    // the VM's serial driver also DMAs to an IOVA it never mapped, every 5 s: a DMAR fault line each time
    dmaFaults: { everyMs: 5000, iova: 0x7ffe0000 },
  };
  devices.push(serial);
  const nic = e810WithVfs({
    pfBdf: { bus: 2, device: 0 },
    numaNode: -1,
    groups: new GroupCounter(9),
    vfCount: 4,
    vfMsix: 17,
    vfDriver: () => 'vfio-pci',
    vfLoad: (i) =>
      i === 0
        ? [
            load('MSIX', 'all', { kind: 'steady', rate: 100 }),
            load('MSIX', 0, { kind: 'storm', base: 200, rate: 120000, startMs: STORM_MSIX_START_MS }),
          ]
        : [load('MSIX', 'all', { kind: 'steady', rate: 100 })],
  });
  devices.push(...nic);
  const [, stormVf] = nic;
  if (!stormVf) throw new Error('storm scenario: e810WithVfs made no VF to storm');
  return {
    ...eduScenario,
    name: 'storm',
    description: `edu guest plus an E810 VF whose MSI-X vector 0 storms ${STORM_MSIX_START_MS / 1000} s after start and an INTx serial card storming at ${STORM_INTX_START_MS / 1000} s, both owned by a QEMU VM`,
    devices,
    processes: [
      {
        pid: 7001,
        comm: 'qemu-system-x86',
        cmdline:
          '/usr/bin/qemu-system-x86_64 -name guest=storm-vm -machine pc-q35-7.2,accel=kvm -m 2048 -smp 2 ' +
          `-device vfio-pci,host=${stormVf.bdf} -device vfio-pci,host=${serial.bdf}`,
        groups: [stormVf.group, serial.group],
        lockedBytes: 2 * GiB,
        pinnedBytes: 0,
        memlockLimit: 3 * GiB,
      },
    ],
    memlockLimit: 16 * MiB,
  };
}

export const stormScenario: Scenario = build();
