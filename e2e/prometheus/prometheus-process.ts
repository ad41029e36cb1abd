/**
 * A Prometheus of the test's own: the binary e2e/prometheus/setup.sh found
 * (VFIOSCOPE_PROMETHEUS_BIN), its own config and data dir in a temp dir, a
 * free loopback port, and a stop that waits for it to be gone — never the
 * packaged service, never left behind. Queries go through its HTTP API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../abuse/server-process.ts';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RuleState {
  name: string;
  query: string;
  type: string;
  health: string;
  lastError?: string;
  /** alerting rules: inactive, pending or firing */
  state?: string;
}

export interface PrometheusProcess {
  base: string;
  /** an instant query now; throws with Prometheus's error when the query does not parse or fails */
  query(expr: string): Promise<Sample[]>;
  /** the series matching a selector (what Grafana's label_values asks) */
  series(selector: string): Promise<Record<string, string>[]>;
  rules(): Promise<RuleState[]>;
  /** what Prometheus logged so far */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  bin: string;
  /** prometheus.yml, with every path in it absolute */
  config: string;
  deadlineMs?: number;
}

async function api<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const r = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const body = (await r.json()) as { status: string; data: T; error?: string; errorType?: string };
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
  return body.data;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, opts.config);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    join(opts.bin, 'prometheus'),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  // a test runner that dies does not leave its Prometheus behind
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode}) before it was ready:\n${log}`);
    }
    const ready = await fetch(`${base}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${opts.deadlineMs ?? 60_000} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    base,
    async query(expr) {
      const data = await api<{ resultType: string; result: Sample[] }>(base, '/api/v1/query', { query: expr });
      if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
      return data.result;
    },
    series: (selector) => api<Record<string, string>[]>(base, '/api/v1/series', { 'match[]': selector }),
    async rules() {
      const data = await api<{ groups: { rules: RuleState[] }[] }>(base, '/api/v1/rules', {});
      return data.groups.flatMap((g) => g.rules);
    },
    log: () => log,
    stop,
  };
}
