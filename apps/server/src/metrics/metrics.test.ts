/**
 * /metrics against the sim: names that follow Prometheus conventions, the
 * per-vector limit with its aggregate, storms, resets and memory as the
 * series an alert rule or a dashboard panel reads (deploy/prometheus,
 * deploy/grafana; e2e/prometheus checks those against a real Prometheus).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';
import { parseServeFlags, SERVE_USAGE, metricsMaxVectorsFlag } from '../cli/serve-command.ts';
import { UsageError } from '../cli/args.ts';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

interface Family {
  name: string;
  type: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** The text exposition format, parsed into families (enough of it for prom-client's output). */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    const fam = families.get(name) ?? { name, type: '', help: '', samples: [] };
    families.set(name, fam);
    return fam;
  };
  for (const line of text.split('\n')) {
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      family(m[1] as string).help = m[2] as string;
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      family(m[1] as string).type = m[2] as string;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    family(m[1] as string).samples.push({ labels, value: Number(m[3]) });
  }
  return families;
}

async function scrape(fx: Fixture): Promise<Map<string, Family>> {
  const r = await fx.req({ method: 'GET', url: '/metrics', as: 'viewer' });
  expect(r.statusCode).toBe(200);
  return parseExposition(r.body);
}

const samples = (m: Map<string, Family>, name: string) => m.get(name)?.samples ?? [];

async function groupOf(fx: Fixture, bdf: string): Promise<number> {
  const topo = (await fx.req({ method: 'GET', url: '/api/v1/topology', as: 'viewer' })).json();
  return topo.devices.find((d: { bdf: string }) => d.bdf === bdf).iommuGroup;
}

describe('/metrics names', () => {
  it('has help on every metric, _total on every counter and only there, and units in the names of byte metrics', async () => {
    f = await makeFixture('storm');
    await f.advance(1000);
    const m = await scrape(f);
    expect(m.size).toBeGreaterThan(15);
    for (const fam of m.values()) {
      expect(fam.name, fam.name).toMatch(/^vfioscope_[a-z0-9_]+$/);
      expect(fam.help.length, `${fam.name} help`).toBeGreaterThan(10);
      expect(['counter', 'gauge'], `${fam.name} type`).toContain(fam.type);
      expect(fam.name.endsWith('_total'), `${fam.name} is a ${fam.type}`).toBe(fam.type === 'counter');
      if (/bytes|memory|pinned|locked/.test(fam.name)) expect(fam.name, 'a byte metric says so').toMatch(/_bytes$/);
    }
    expect(m.get('vfioscope_interrupts_total')?.type).toBe('counter');
    expect(m.get('vfioscope_device_interrupts_total')?.type).toBe('counter');
  });

  it('labels vectors by owner name, not pid, so a VM restart does not start new series', async () => {
    f = await makeFixture('storm');
    await f.advance(1000);
    const vf = samples(await scrape(f), 'vfioscope_interrupts_total').find((s) => s.labels.bdf === '0000:03:00.0');
    expect(vf?.labels).toMatchObject({ index: 'MSIX', source: 'observed', owner: 'storm-vm' });
  });
});

describe('--metrics-max-vectors', () => {
  it('is documented, defaults to 1000, takes 0 for no limit and refuses fractions', () => {
    expect(SERVE_USAGE).toContain('--metrics-max-vectors N');
    expect(metricsMaxVectorsFlag(parseServeFlags([]))).toBe(1000);
    expect(metricsMaxVectorsFlag(parseServeFlags(['--metrics-max-vectors', '25']))).toBe(25);
    expect(metricsMaxVectorsFlag(parseServeFlags(['--metrics-max-vectors', '0']))).toBeNull();
    expect(() => metricsMaxVectorsFlag(parseServeFlags(['--metrics-max-vectors', '2.5']))).toThrow(UsageError);
    expect(() => metricsMaxVectorsFlag(parseServeFlags(['--metrics-max-vectors', '-1']))).toThrow('--metrics-max-vectors');
  });

  it('keeps the busiest N vectors, counts the rest as omitted, and the per-device totals still count every vector', async () => {
    f = await makeFixture('default', { metricsMaxVectors: 10 });
    await f.advance(1000);
    const rates = f.app.vfio.ctx.telemetry.vectorRates();
    expect(rates.length).toBeGreaterThan(100);
    const m = await scrape(f);
    const shown = samples(m, 'vfioscope_interrupts_total');
    expect(shown).toHaveLength(10);
    expect(samples(m, 'vfioscope_irq_vectors_omitted')[0]?.value).toBe(rates.length - 10);
    const rateOf = (s: { labels: Record<string, string> }) =>
      rates.find((r) => r.bdf === s.labels.bdf && r.index === s.labels.index && String(r.vector) === s.labels.vector)?.rate ?? -1;
    const slowestShown = Math.min(...shown.map(rateOf));
    const keys = new Set(shown.map((s) => `${s.labels.bdf}/${s.labels.index}/${s.labels.vector}`));
    const fastestLeftOut = Math.max(...rates.filter((r) => !keys.has(r.key)).map((r) => r.rate));
    expect(slowestShown).toBeGreaterThanOrEqual(fastestLeftOut);
    const allCounted = rates.reduce((n, r) => n + r.count, 0);
    // telemetry read between scrape and now is the same tick: the clock stood still
    expect(samples(m, 'vfioscope_device_interrupts_total').reduce((n, s) => n + s.value, 0)).toBe(allCounted);
    expect(samples(m, 'vfioscope_irq_vectors').reduce((n, s) => n + s.value, 0)).toBe(rates.length);
  });

  it('with no limit gives every vector its own series', async () => {
    f = await makeFixture('default', { metricsMaxVectors: null });
    await f.advance(500);
    const m = await scrape(f);
    expect(samples(m, 'vfioscope_interrupts_total')).toHaveLength(f.app.vfio.ctx.telemetry.vectorRates().length);
    expect(samples(m, 'vfioscope_irq_vectors_omitted')[0]?.value).toBe(0);
  });
});

describe('/metrics series the shipped rules and dashboard read', () => {
  it('storms: the storming vectors with their reason, and active storms by reason', async () => {
    f = await makeFixture('storm', { metricsMaxVectors: 1 });
    let m = await scrape(f);
    expect(samples(m, 'vfioscope_irq_storming')).toEqual([]);
    expect(samples(m, 'vfioscope_storms_active').map((s) => [s.labels.reason, s.value])).toEqual([
      ['absolute', 0],
      ['baseline', 0],
      ['intx-unmask-loop', 0],
    ]);
    await f.advance(9000);
    m = await scrape(f);
    const storming = samples(m, 'vfioscope_irq_storming').map((s) => s.labels);
    // both storming vectors, though only one vector has a vfioscope_interrupts_total series
    expect(storming).toContainEqual({ bdf: '0000:03:00.0', index: 'MSIX', vector: '0', owner: 'storm-vm', reason: 'absolute' });
    expect(storming).toContainEqual({ bdf: '0000:00:07.0', index: 'INTX', vector: '0', owner: 'storm-vm', reason: 'intx-unmask-loop' });
    expect(samples(m, 'vfioscope_storms_active').find((s) => s.labels.reason === 'intx-unmask-loop')?.value).toBe(1);
    expect(samples(m, 'vfioscope_kernel_messages_total')).toContainEqual({
      labels: { bdf: '0000:00:07.0', kind: 'iommu-fault' },
      value: 1,
    });
  });

  it('resets: 0 for a device that did not come back from its last reset, 1 for one that did', async () => {
    f = await makeFixture('default');
    const gpu = '0000:98:00.0';
    const nvme = '0000:b2:00.0';
    expect(samples(await scrape(f), 'vfioscope_device_reset_came_back')).toEqual([]);
    // the GPU's HDMI audio on vfio-pci makes its group viable; the GPU does not come back from its second reset
    expect((await f.req({ method: 'POST', url: '/api/v1/devices/0000:98:00.1/bind', payload: { driver: 'vfio-pci' } })).statusCode).toBe(
      200,
    );
    expect((await f.req({ method: 'POST', url: `/api/v1/groups/${await groupOf(f, gpu)}/open` })).statusCode).toBe(200);
    expect((await f.req({ method: 'POST', url: `/api/v1/groups/${await groupOf(f, nvme)}/open` })).statusCode).toBe(200);
    expect((await f.req({ method: 'POST', url: `/api/v1/devices/${gpu}/reset` })).json().verification.cameBack).toBe(false);
    expect((await f.req({ method: 'POST', url: `/api/v1/devices/${nvme}/reset` })).json().verification.cameBack).toBe(true);
    const back = samples(await scrape(f), 'vfioscope_device_reset_came_back');
    expect(back).toHaveLength(2);
    expect(back).toContainEqual({ labels: { bdf: gpu }, value: 0 });
    expect(back).toContainEqual({ labels: { bdf: nvme }, value: 1 });
    // the same verdict is a kernel alert (telemetry's reset-failed); every other reason is there at 0
    const alerts = samples(await scrape(f), 'vfioscope_kernel_alerts_active');
    expect(alerts.map((a) => a.labels.reason).sort()).toEqual([
      'device-error',
      'device-request',
      'iommu-fault-storm',
      'irq-disabled',
      'memlock-exceeded',
      'reset-failed',
    ]);
    expect(alerts.find((a) => a.labels.reason === 'reset-failed')?.value).toBe(1);
  });

  it('memory: each holder process against its memlock limit, and each container with its mappings against dma_entry_limit', async () => {
    f = await makeFixture('default');
    const nvme = '0000:b2:00.0';
    const c = (await f.req({ method: 'POST', url: `/api/v1/groups/${await groupOf(f, nvme)}/open` })).json().container;
    expect(
      (await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x4000', flags: ['read'] } }))
        .statusCode,
    ).toBe(200);
    await f.advance(300);
    const m = await scrape(f);
    const cad = { pid: '4242', comm: 'qemu-system-x86', vm: 'win11-cad' };
    expect(samples(m, 'vfioscope_process_locked_bytes')).toContainEqual({ labels: cad, value: 32 * 2 ** 30 });
    expect(samples(m, 'vfioscope_process_memlock_limit_bytes')).toContainEqual({ labels: cad, value: 33 * 2 ** 30 });
    expect(samples(m, 'vfioscope_container_pinned_bytes')).toContainEqual({ labels: { container: String(c) }, value: 0x4000 });
    expect(samples(m, 'vfioscope_container_dma_mappings')).toContainEqual({ labels: { container: String(c) }, value: 1 });
    expect(samples(m, 'vfioscope_container_dma_entries_limit')).toContainEqual({ labels: { container: String(c) }, value: 65535 });
    const self = samples(m, 'vfioscope_process_locked_bytes').filter((s) => s.labels.vm === '' && s.labels.comm !== 'qemu-system-x86');
    expect(self.map((s) => s.value)).toContain(0x4000);
  });

  it('host: one info series naming the host, kernel and backend', async () => {
    f = await makeFixture('edu');
    const info = samples(await scrape(f), 'vfioscope_host_info');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ labels: { backend: 'sim', scenario: 'edu' }, value: 1 });
    expect(info[0]?.labels.kernel).toBe(f.app.vfio.ctx.hostInfo.kernel);
  });
});
