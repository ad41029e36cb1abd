/**
 * What the device says about itself: PCI identity from sysfs, the device fd's
 * flags (VFIO_DEVICE_GET_INFO), and the decoded config space header with its
 * capability list.
 */
import type { ReactNode } from 'react';
import type { DeviceStateView, PciDeviceView } from '@vfioscope/protocol';
import { className, idPair, vendorName } from '../../format/pci-names.ts';
import { hex } from '../../format/units.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';

const COMMAND_BITS: [number, string][] = [
  [0x1, 'IO'],
  [0x2, 'MEM'],
  [0x4, 'BusMaster'],
  [0x40, 'ParityErr'],
  [0x100, 'SERR'],
  [0x400, 'INTxDisable'],
];
const STATUS_BITS: [number, string][] = [
  [0x8, 'IntStatus'],
  [0x10, 'CapList'],
  [0x20, '66MHz'],
  [0x2000, 'MasterAbort'],
  [0x4000, 'SERR'],
  [0x8000, 'ParityErr'],
];

function bits(value: number, table: [number, string][]): string {
  const set = table.filter(([b]) => value & b).map(([, n]) => n);
  return set.length ? set.join(' ') : '—';
}

export function DeviceInfoPanel({
  pci,
  state,
  driverControl,
}: {
  pci: PciDeviceView | undefined;
  state: DeviceStateView | null;
  driverControl?: ReactNode;
}) {
  const { links } = useHostClient();
  return (
    <section className="panel" data-testid="device-info">
      <div className="panel-head">
        <h3>Device</h3>
      </div>
      <div className="panel-body stack">
        {pci ? (
          <dl className="kv">
            <dt>Vendor</dt>
            <dd>
              {vendorName(pci.vendorId, pci.vendorName)} ({idPair(pci.vendorId, pci.deviceId)})
            </dd>
            <dt>Device</dt>
            <dd>{pci.deviceName ?? '—'}</dd>
            <dt>Class</dt>
            <dd>
              {className(pci.classCode)} ({hex(pci.classCode, 6)})
            </dd>
            <dt>Subsystem</dt>
            <dd>{idPair(pci.subsystemVendorId, pci.subsystemDeviceId)}</dd>
            <dt>Driver</dt>
            <dd data-testid="device-driver">
              {pci.driver ?? 'none'}
              {pci.driverOverride ? ` (override: ${pci.driverOverride})` : ''}
              {driverControl ? <div style={{ marginTop: 6 }}>{driverControl}</div> : null}
            </dd>
            <dt>NUMA node</dt>
            <dd>{pci.numaNode < 0 ? 'unknown' : pci.numaNode}</dd>
            {pci.physfn ? (
              <>
                <dt>Physical fn</dt>
                <dd>
                  <a href={links.device(pci.physfn)}>{pci.physfn}</a> (SR-IOV VF)
                </dd>
              </>
            ) : null}
          </dl>
        ) : null}
        {state ? (
          <dl className="kv">
            <dt>Device flags</dt>
            <dd className="flags" data-testid="device-flags">
              {state.info.flagNames.map((f) => (
                <span key={f} className={`badge ${f === 'RESET' ? 'ok' : 'outline'}`}>
                  {f}
                </span>
              ))}
              <span className="faint">{hex(state.info.flags)}</span>
            </dd>
            <dt>Regions / IRQs</dt>
            <dd>
              {state.info.numRegions} regions · {state.info.numIrqs} IRQ indexes
            </dd>
          </dl>
        ) : null}
      </div>
    </section>
  );
}

export function ConfigPanel({ config }: { config: NonNullable<DeviceStateView['config']> }) {
  const cfg = config;
  return (
    <section className="panel" data-testid="config-panel">
      <div className="panel-head">
        <h3>Config space</h3>
        <span className="faint">decoded from the CONFIG region</span>
      </div>
      <div className="panel-body stack">
        <div data-testid="config-header">
          <dl className="kv">
            <dt>ID</dt>
            <dd>
              {idPair(cfg.header.vendorId, cfg.header.deviceId)} rev {hex(cfg.header.revision, 2)}
            </dd>
            <dt>Command</dt>
            <dd>
              {hex(cfg.header.command, 4)} · {bits(cfg.header.command, COMMAND_BITS)}
            </dd>
            <dt>Status</dt>
            <dd>
              {hex(cfg.header.status, 4)} · {bits(cfg.header.status, STATUS_BITS)}
            </dd>
            <dt>Header type</dt>
            <dd>
              {cfg.header.headerType}
              {cfg.header.multiFunction ? ' · multi-function' : ''}
            </dd>
            <dt>BARs</dt>
            <dd>{cfg.header.bars.map((b) => hex(b >>> 0, 8)).join(' ')}</dd>
            <dt>Interrupt</dt>
            <dd>
              line {cfg.header.interruptLine} · pin {cfg.header.interruptPin ? `INT${'ABCD'[cfg.header.interruptPin - 1]}` : 'none'}
            </dd>
            <dt>Cap pointer</dt>
            <dd>{hex(cfg.header.capabilitiesPointer, 2)}</dd>
          </dl>
          <h3 style={{ margin: '12px 0 8px' }}>Capabilities</h3>
          <div className="cap-list" data-testid="capabilities">
            {cfg.capabilities.length === 0 ? <span className="faint">none</span> : null}
            {cfg.capabilities.map((c) => (
              <span key={`${c.extended}-${c.offset}`} className="cap" title={`id ${hex(c.id, 2)}`}>
                {c.name} <span className="at">@{hex(c.offset, c.extended ? 3 : 2)}</span>
                {c.extended ? <span className="at"> ext</span> : null}
              </span>
            ))}
          </div>
        </div>
      </div>
    </section>
  );
}
