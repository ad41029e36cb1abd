/**
 * `vfioscope topology`: the chosen backend's IOMMU groups, their devices and
 * drivers, viability (and which device blocks it), and which processes hold
 * each group — as a table or JSON (the same TopologyResponse the API serves).
 */
import type { Host } from '@vfioscope/host';
import type { TopologyResponse } from '@vfioscope/protocol';
import { topologyView } from '../views/topology-view.ts';
import { parseFlags, stringFlag, UsageError } from './args.ts';
import { backendKind, openBackend } from './backend.ts';
import { table, type CliIo } from './output.ts';

export const TOPOLOGY_USAGE = `Usage: vfioscope topology [--backend sim|linux] [--scenario NAME|FILE] [--json]

Print the IOMMU groups, their devices, viability and owners.

Options:
  --backend sim|linux   which host to look at (default sim)
  --scenario NAME|FILE  sim scenario: a built-in name (see "vfioscope scenarios") or a JSON file (default "default")
  --json                print the topology as JSON (the API's TopologyResponse)
  -h, --help            show this help
`;

export async function readTopology(host: Host): Promise<TopologyResponse> {
  const [topo, owners] = await Promise.all([host.topology(), host.owners()]);
  return topologyView(topo, owners, []);
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

export function formatTopology(t: TopologyResponse): string {
  const devices = new Map(t.devices.map((d) => [d.bdf, d]));
  const rows: string[][] = [];
  for (const g of t.groups) {
    const owner = g.owners.map((o) => `${o.comm}[${o.pid}]`).join(',') || '-';
    g.devices.forEach((bdf, i) => {
      const d = devices.get(bdf);
      const blocker = g.blockers.some((b) => b.bdf === bdf);
      rows.push([
        i === 0 ? String(g.id) : '',
        i === 0 ? (g.viable ? 'yes' : 'no') : '',
        bdf,
        (d?.driver ?? '-') + (blocker ? ' (blocks)' : ''),
        d ? hex(d.classCode, 6) : '',
        d ? `${hex(d.vendorId, 4)}:${hex(d.deviceId, 4)}` : '',
        d?.deviceName ?? '',
        i === 0 ? owner : '',
      ]);
    });
  }
  return table(['GROUP', 'VIABLE', 'DEVICE', 'DRIVER', 'CLASS', 'ID', 'NAME', 'OWNER'], rows);
}

export function topologySummary(t: TopologyResponse): string {
  const viable = t.groups.filter((g) => g.viable).length;
  const held = t.groups.filter((g) => g.owners.some((o) => !o.self)).length;
  return `${t.groups.length} IOMMU groups (${viable} viable, ${held} held by other processes), ${t.devices.length} devices`;
}

export async function runTopologyCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseFlags(argv, { backend: { value: true }, scenario: { value: true }, json: { value: false }, help: { value: false } });
  if (args.flags.help) {
    io.out(TOPOLOGY_USAGE);
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const host = await openBackend(backendKind(stringFlag(args, 'backend')), stringFlag(args, 'scenario'));
  try {
    const t = await readTopology(host);
    if (args.flags.json) io.out(`${JSON.stringify(t, null, 2)}\n`);
    else if (t.groups.length === 0) {
      const info = await host.hostInfo();
      io.out(`${info.iommu.reason ?? 'no IOMMU groups on this host'} (${t.devices.length} PCI devices)\n`);
    } else io.out(`${formatTopology(t)}\n${topologySummary(t)}\n`);
  } finally {
    await host.close();
  }
  return 0;
}
