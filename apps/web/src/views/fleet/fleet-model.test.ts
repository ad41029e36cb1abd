import { describe, expect, it } from 'vitest';
import type { HostFigures, HostSummary } from '@vfioscope/protocol';
import { fleetRows, troubles } from './fleet-model.ts';

const figures = (over: Partial<HostFigures> = {}): HostFigures => ({
  t: 0,
  hostname: 'h',
  kernel: '6.12.0',
  backend: 'sim',
  groups: { total: 10, viable: 8, heldByVms: 2, heldByVfioscope: 1 },
  alerts: { storms: 0, kernel: 0 },
  memlock: null,
  dmaEntries: null,
  iommuFaultsPerMinute: 0,
  vectors: { inUse: 10, limit: 200 },
  ...over,
});
const host = (name: string, over: Partial<HostSummary> = {}, f: Partial<HostFigures> = {}): HostSummary => ({
  name,
  self: false,
  state: 'up',
  since: 0,
  figures: figures(f),
  ...over,
});

describe('troubles', () => {
  it('names nothing for a quiet host', () => {
    expect(troubles(host('quiet'))).toEqual([]);
  });

  it('names each kind of trouble in words, the unreachable host first', () => {
    const h = host(
      'bad',
      { state: 'down', reason: 'ECONNREFUSED' },
      {
        alerts: { storms: 2, kernel: 1 },
        iommuFaultsPerMinute: 12,
        memlock: { free: 0.04, used: 96, limit: 100, scope: 'process', id: 42, name: 'win11' },
        dmaEntries: { free: 0.5, used: 1, limit: 2, scope: 'container', id: 1 },
        vectors: { inUse: 190, limit: 200 },
      },
    );
    expect(troubles(h)).toEqual([
      'unreachable: ECONNREFUSED',
      '2 interrupt storms',
      '1 kernel alert',
      '12 IOMMU faults/min',
      'memlock 96 % used',
      'vectors 190/200',
    ]);
  });

  it('judges a host that never answered by its state alone', () => {
    expect(troubles(host('new', { state: 'down', figures: null }))).toEqual(['unreachable']);
  });
});

describe('fleetRows', () => {
  const hosts = [host('b-quiet'), host('a-quiet', {}, { kernel: '6.1.0' }), host('c-storm', {}, { alerts: { storms: 1, kernel: 0 } })];

  it('puts hosts in trouble first, then by name', () => {
    expect(fleetRows(hosts, { filter: '', sort: 'trouble', troubleOnly: false }).map((r) => r.host.name)).toEqual([
      'c-storm',
      'a-quiet',
      'b-quiet',
    ]);
  });

  it('filters on name or kernel, and to hosts in trouble only', () => {
    expect(fleetRows(hosts, { filter: '6.1.', sort: 'name', troubleOnly: false }).map((r) => r.host.name)).toEqual(['a-quiet']);
    expect(fleetRows(hosts, { filter: 'QUIET', sort: 'name', troubleOnly: false }).map((r) => r.host.name)).toEqual(['a-quiet', 'b-quiet']);
    expect(fleetRows(hosts, { filter: '', sort: 'name', troubleOnly: true }).map((r) => r.host.name)).toEqual(['c-storm']);
  });

  it('sorts by least headroom of either kind', () => {
    const tight = host('z-tight', {}, { dmaEntries: { free: 0.2, used: 8, limit: 10, scope: 'container', id: 3 } });
    expect(fleetRows([...hosts, tight], { filter: '', sort: 'headroom', troubleOnly: false })[0]?.host.name).toBe('z-tight');
  });
});
