/**
 * The shipped alert rules and Grafana dashboard against a real Prometheus
 * (Debian's) scraping real vfioscope servers: the storm scenario, the
 * default scenario with a GPU reset that does not come back and a DMA
 * mapping, and a target where nothing listens. Every expression in the
 * dashboard and the rules must parse and return series — a panel that draws
 * nothing fails — and each rule must fire, or hold back, where this data
 * says it should. Waits are deadlines on those conditions, never sleeps.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, OPERATOR, ROOT, startServer, VIEWER, type ServerProcess } from '../abuse/server-process.ts';
import { type Dashboard, dashboardQueries, withoutThreshold } from './expressions.ts';
import { type PrometheusProcess, type RuleState, startPrometheus } from './prometheus-process.ts';

const RULES_FILE = join(ROOT, 'deploy/prometheus/vfioscope-rules.yml');
const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/vfioscope-dashboard.json'), 'utf8')) as Dashboard;
const queries = dashboardQueries(dashboard);
/** how long the servers' telemetry and Prometheus's scrapes may take to show everything (a busy 2-core machine) */
const DEADLINE_MS = 180_000;

type Target = 'storm' | 'default' | 'nobody';
/** Each shipped rule on this data: which targets it fires for, none meaning it must hold back. */
const EXPECTED: Record<string, { firesOn: Target[]; because: string }> = {
  VfioscopeInterruptStorm: { firesOn: ['storm'], because: "the storm scenario's E810 VF storms on MSI-X vector 0 from 3 s" },
  VfioscopeIntxUnmaskLoop: { firesOn: ['storm'], because: "the storm scenario's serial card loops on INTx from 5 s" },
  VfioscopeMemlockHeadroomLow: { firesOn: ['default'], because: "the default scenario's win11-cad VM has 32 of its 33 GiB locked" },
  VfioscopeDmaEntriesHeadroomLow: { firesOn: [], because: 'the one mapping the test made is 1 of 65535 entries' },
  VfioscopeIommuFaults: { firesOn: ['storm', 'default'], because: 'both scenarios have a device doing DMA nobody mapped' },
  VfioscopeDeviceDidNotComeBack: {
    firesOn: ['default'],
    because: 'the test reset the default host’s GPU 98:00.0, which reads all-ones after',
  },
  VfioscopeHostDown: { firesOn: ['nobody'], because: 'the third target is a port where nothing listens' },
};

let storm: ServerProcess;
let host: ServerProcess;
let prom: PrometheusProcess;
let dir: string;
const instances = {} as Record<Target, string>;

async function act(server: ServerProcess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function groupOf(server: ServerProcess, bdf: string): Promise<number> {
  const r = await fetch(`${server.base}/api/v1/topology`, { headers: { authorization: `Bearer ${VIEWER}` } });
  const topo = (await r.json()) as { devices: { bdf: string; iommuGroup: number }[] };
  const d = topo.devices.find((x) => x.bdf === bdf);
  if (!d) throw new Error(`${bdf} is not in the topology`);
  return d.iommuGroup;
}

/** What one expression returned: the instances of its series, or Prometheus's error. */
interface Outcome {
  instances: string[];
  error?: string;
}

async function evaluate(expr: string): Promise<Outcome> {
  try {
    return { instances: (await prom.query(expr)).map((s) => s.metric.instance ?? '') };
  } catch (e) {
    return { instances: [], error: (e as Error).message };
  }
}

interface RuleOutcome {
  rule: RuleState;
  fired: Outcome;
  /** for a rule that holds back: its expression without the threshold */
  underlying: Outcome | null;
}

interface Results {
  dashboard: Map<string, Outcome>;
  hosts: string[];
  rules: Map<string, RuleOutcome>;
}

async function evaluateAll(): Promise<Results> {
  const board = new Map<string, Outcome>();
  let hosts: string[] = [];
  for (const q of queries) {
    if (q.labelValuesOf) {
      const label = q.labelValuesOf;
      const series = await prom.series(q.expr).catch(() => []);
      hosts = [...new Set(series.map((s) => s[label] ?? ''))].sort();
      board.set(q.where, { instances: hosts });
    } else board.set(q.where, await evaluate(q.expr));
  }
  const rules = new Map<string, RuleOutcome>();
  for (const rule of await prom.rules()) {
    const fired = await evaluate(rule.query);
    const stripped = withoutThreshold(rule.query);
    rules.set(rule.name, { rule, fired, underlying: stripped === null ? null : await evaluate(stripped) });
  }
  return { dashboard: board, hosts, rules };
}

const firingAs = (o: RuleOutcome) => [...new Set(o.fired.instances)].sort();
const expectedInstances = (name: string) => (EXPECTED[name]?.firesOn ?? []).map((t) => instances[t]).sort();

function settled(r: Results): boolean {
  if ([...r.dashboard.values()].some((o) => o.instances.length === 0)) return false;
  if (r.rules.size === 0) return false;
  for (const [name, o] of r.rules) {
    if (JSON.stringify(firingAs(o)) !== JSON.stringify(expectedInstances(name))) return false;
    // Prometheus's own evaluation has seen it too
    const wants = EXPECTED[name]?.firesOn.length ? ['pending', 'firing'] : ['inactive'];
    if (!wants.includes(o.rule.state ?? '')) return false;
  }
  return true;
}

let results: Results;
let waitedMs = 0;

beforeAll(async () => {
  const t0 = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'vfioscope-prometheus-test-'));
  [storm, host] = await Promise.all([
    startServer({ scenario: 'storm' }),
    // fewer vector series than the default host's ~460 vectors: the top vectors still draw
    startServer({ scenario: 'default', extraArgs: ['--metrics-max-vectors', '50'] }),
  ]);
  // the default host's second GPU: its HDMI audio on vfio-pci makes the group viable; it does not come back from a reset
  await act(host, 'POST', '/devices/0000:98:00.1/bind', { driver: 'vfio-pci' });
  await act(host, 'POST', `/groups/${await groupOf(host, '0000:98:00.0')}/open`, {});
  const reset = (await act(host, 'POST', '/devices/0000:98:00.0/reset')) as { verification: { cameBack: boolean } };
  expect(reset.verification.cameBack).toBe(false);
  // an NVMe in a container of its own with one mapping: pinned memory and DMA entries
  const { container } = (await act(host, 'POST', `/groups/${await groupOf(host, '0000:b2:00.0')}/open`, {})) as { container: number };
  await act(host, 'POST', `/containers/${container}/mappings`, { iova: '0x100000', size: '0x200000', flags: ['read', 'write'] });

  const nobody = await freePort();
  instances.storm = `127.0.0.1:${storm.port}`;
  instances.default = `127.0.0.1:${host.port}`;
  instances.nobody = `127.0.0.1:${nobody}`;
  const tokenFile = join(dir, 'viewer.token');
  writeFileSync(tokenFile, `${VIEWER}\n`, { mode: 0o600 });
  const bin = process.env.VFIOSCOPE_PROMETHEUS_BIN;
  if (!bin) throw new Error('VFIOSCOPE_PROMETHEUS_BIN is not set: run e2e/prometheus/run.sh (its setup.sh finds or fetches prometheus)');
  prom = await startPrometheus({
    bin,
    // the shipped scrape job (deploy/prometheus/prometheus.yml) on loopback, over HTTP, scraping each second
    config: [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES_FILE)}]`,
      'scrape_configs:',
      '  - job_name: vfioscope',
      `    authorization: { type: Bearer, credentials_file: ${JSON.stringify(tokenFile)} }`,
      `    static_configs: [{ targets: ${JSON.stringify(Object.values(instances))} }]`,
      '',
    ].join('\n'),
  });

  const deadline = Date.now() + DEADLINE_MS;
  const waitStart = Date.now();
  for (;;) {
    results = await evaluateAll();
    if (settled(results) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  waitedMs = Date.now() - waitStart;
  const lines = [
    `prometheus check: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${(waitedMs / 1000).toFixed(1)} s waiting for samples)`,
  ];
  for (const [where, o] of results.dashboard)
    lines.push(`  ${o.instances.length ? 'ok  ' : 'NONE'} ${o.instances.length} series  ${where}`);
  for (const [name, o] of results.rules) {
    const fired = firingAs(o);
    lines.push(
      `  ${name}: ${fired.length ? `fires for ${fired.join(', ')}` : `holds back; without its threshold ${o.underlying?.instances.length ?? 0} series`} (Prometheus: ${o.rule.state})`,
    );
  }
  console.log(lines.join('\n'));
}, DEADLINE_MS + 240_000);

afterAll(async () => {
  await prom?.stop();
  await Promise.all([storm?.stop(), host?.stop()]);
  for (const s of [storm, host]) if (s) rmSync(s.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the Grafana dashboard on a real Prometheus', () => {
  it('lists every scraped vfioscope target in its host variable', () => {
    expect(results.hosts).toEqual(Object.values(instances).sort());
  });

  it.each(queries.filter((q) => !q.labelValuesOf).map((q) => [q.where, q.expr]))('%s draws series: %s', (where) => {
    const o = results.dashboard.get(where);
    expect(o?.error, `${where}: Prometheus refused it`).toBeUndefined();
    expect(o?.instances.length, `${where} returned no series`).toBeGreaterThan(0);
  });
});

describe('the alert rules on a real Prometheus', () => {
  it('are the rules this test knows what to expect of, loaded and evaluated without errors', () => {
    expect([...results.rules.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const { rule } of results.rules.values()) {
      expect(rule.type).toBe('alerting');
      expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
    }
  });

  it.each(Object.entries(EXPECTED))('%s as this data says', (name, { firesOn, because }) => {
    const o = results.rules.get(name);
    expect(o, `${name} was not loaded`).toBeDefined();
    if (!o) return;
    expect(o.fired.error, `${name}: Prometheus refused its expression`).toBeUndefined();
    expect(firingAs(o), `${name} (${because})`).toEqual(expectedInstances(name));
    if (firesOn.length > 0) {
      expect(['pending', 'firing'], `${name}: Prometheus's own evaluation`).toContain(o.rule.state);
    } else {
      expect(o.rule.state).toBe('inactive');
      expect(o.underlying, `${name}: no threshold to take away to show its series are there`).not.toBeNull();
      expect(o.underlying?.instances.length, `${name} without its threshold returned no series`).toBeGreaterThan(0);
    }
  });
});
