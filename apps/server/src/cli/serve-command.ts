/**
 * `vfioscope serve`: the API, the stream and the web UI over the chosen
 * backend. Loopback by default; with no --token-file it makes an operator
 * token and prints a login URL carrying it, the way Jupyter does.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IommuMode } from '@vfioscope/session';
import { TokenStore, loadTokenFile } from '../auth/tokens.ts';
import {
  DEFAULT_LISTEN,
  DEFAULT_LOG_KEEP,
  DEFAULT_METRICS_MAX_VECTORS,
  DEFAULT_TICK_HZ,
  defaultDataDir,
  ensureDataDir,
  isLoopback,
  parseListen,
} from '../config.ts';
import { defaultHostName, type FleetOptions } from '../fleet/fleet.ts';
import { loadPeersFile } from '../fleet/peers-file.ts';
import { listen, sessionToken, shutdownOnSignals } from '../server.ts';
import { HOST_NAME_PATTERN } from '@vfioscope/protocol';
import { DEFAULT_STORM_CONFIG as STORM, type StormConfig } from '@vfioscope/telemetry';
import { parseFlags, numberFlag, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { backendKind, openBackend } from './backend.ts';
import type { CliIo } from './output.ts';
import { readTopology, topologySummary } from './topology-command.ts';
import { indexRecording, type RecordingIndex } from '../replay/recording-index.ts';

export const SERVE_USAGE = `Usage: vfioscope serve [options]

Serve the web UI at / and the API under /api/v1 (REST, WebSocket stream at
/api/v1/stream, Prometheus text at /metrics).

Options:
  --backend sim|linux     host backend (default sim: the built-in simulation)
  --scenario NAME|FILE    sim scenario, a built-in name or a JSON file (default "default")
  --replay FILE           replay a recording (vfioscope record, the UI's Record) instead of a host: the same
                          dashboard, read-only, with a timeline (play, pause, speed, scrub, jump to alerts)
  --iommu auto|type1|iommufd
                          the IOMMU path vfioscope drives (default auto: iommufd + the VFIO device cdev where
                          the kernel offers both, Linux 6.6+; else the VFIO container — type1 or iommufd's compat)
  --listen HOST:PORT      address to listen on (default ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}; loopback unless you say otherwise)
  --tick-hz N             telemetry samples per second (default ${DEFAULT_TICK_HZ})
  --data-dir DIR          audit log, event log, session token (default $XDG_STATE_HOME/vfioscope or ~/.local/state/vfioscope)
  --token-file FILE       fixed tokens: JSON [{"token","role","id"?}] or lines "viewer:TOKEN" / "operator:TOKEN";
                          without it an operator token is generated and printed in a login URL
  --web-dir DIR           the built web UI (default apps/web/dist)
  --no-compress           send every answer uncompressed: no brotli or gzip for the API, /metrics or the
                          UI's files (e.g. behind a proxy that compresses; by default the Accept-Encoding
                          of each request decides, and the UI's files go out as the build compressed them)
  --allow-origin ORIGIN   also accept actions and WebSocket connections from this Origin (comma-separated list)
  --allowed-host NAME     also answer requests whose Host header is NAME (comma-separated; the listen address
                          and localhost always are): the names a browser uses to reach this server
  --tls-cert FILE         serve HTTPS and WSS with this PEM certificate (chain) ...
  --tls-key FILE          ... and this PEM private key
  --insecure-http         allow a non-loopback --listen without TLS (tokens then cross the network in clear)
  --metrics-public        serve /metrics without a token (only where nothing but loopback can reach it)
  --metrics-max-vectors N the N busiest vectors get a vfioscope_interrupts_total series each (default
                          ${DEFAULT_METRICS_MAX_VECTORS}; 0 = every vector); the rest still count in
                          vfioscope_device_interrupts_total, and vfioscope_irq_vectors_omitted says how many
  --log-max-bytes N       rotate audit.log and events.jsonl past N bytes (default 64 MiB); rotated audit
                          files are kept, events files beyond --log-keep are deleted
  --log-keep N            rotated events.jsonl files to keep (default ${DEFAULT_LOG_KEEP})
  --name NAME             this host's name in a fleet (default: the machine's hostname)
  --peers FILE            also front these vfioscope servers: a JSON array of
                          {"name", "url", "tokenFile", "ca"?}; GET /api/v1/hosts lists them, every route is
                          reachable per host under /api/v1/hosts/NAME/…, stream topics as hosts/NAME/TOPIC
                          (see README, "A fleet of servers")
  --storm-rate N          a vector above N interrupts/s for the sustain window is a storm (default ${STORM.absoluteRate})
  --storm-multiple X      ... or above X times its own baseline (default ${STORM.baselineMultiple})
  --storm-intx-loop N     INTx fire+unmask cycles/s that count as an unmask-loop storm (default ${STORM.intxUnmaskLoopRate})
  --storm-sustain-ms MS   how long a rate must stay over a threshold to raise, or under it to clear (default ${STORM.sustainMs})
  -h, --help              show this help
`;

const SPEC = {
  backend: { value: true },
  scenario: { value: true },
  replay: { value: true },
  iommu: { value: true },
  listen: { value: true },
  'tick-hz': { value: true },
  'data-dir': { value: true },
  'token-file': { value: true },
  'web-dir': { value: true },
  'no-compress': { value: false },
  'allow-origin': { value: true },
  'allowed-host': { value: true },
  'tls-cert': { value: true },
  'tls-key': { value: true },
  'insecure-http': { value: false },
  'metrics-public': { value: false },
  'metrics-max-vectors': { value: true },
  'log-max-bytes': { value: true },
  'log-keep': { value: true },
  name: { value: true },
  peers: { value: true },
  'storm-rate': { value: true },
  'storm-multiple': { value: true },
  'storm-intx-loop': { value: true },
  'storm-sustain-ms': { value: true },
  help: { value: false },
} as const;

/** The storm thresholds given on the command line; the detector's defaults fill the rest. */
export function stormFlags(args: ParsedArgs): Partial<StormConfig> {
  const out: Partial<StormConfig> = {};
  const rate = numberFlag(args, 'storm-rate', 1, 1e9);
  const multiple = numberFlag(args, 'storm-multiple', 1, 1e6);
  const intx = numberFlag(args, 'storm-intx-loop', 1, 1e9);
  const sustain = numberFlag(args, 'storm-sustain-ms', 0, 3_600_000);
  if (rate !== undefined) out.absoluteRate = rate;
  if (multiple !== undefined) out.baselineMultiple = multiple;
  if (intx !== undefined) out.intxUnmaskLoopRate = intx;
  if (sustain !== undefined) out.sustainMs = sustain;
  return out;
}

/** --metrics-max-vectors: a whole number, 0 for no limit (null), absent for the default. */
export function metricsMaxVectorsFlag(args: ParsedArgs): number | null {
  const n = numberFlag(args, 'metrics-max-vectors', 0, 1e7) ?? DEFAULT_METRICS_MAX_VECTORS;
  if (!Number.isInteger(n)) throw new UsageError(`--metrics-max-vectors must be a whole number, got ${n}`);
  return n === 0 ? null : n;
}

/** --name and --peers: this host's name, and the peers file read and checked whole before anything starts. */
export function fleetFlags(args: ParsedArgs): FleetOptions {
  const given = stringFlag(args, 'name');
  if (given !== undefined && !new RegExp(HOST_NAME_PATTERN).test(given))
    throw new UsageError(`--name must be 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit, got "${given}"`);
  const name = given ?? defaultHostName();
  const file = stringFlag(args, 'peers');
  if (file === undefined) return { name };
  try {
    return { name, peers: loadPeersFile(file, name) };
  } catch (e) {
    throw new UsageError(`--peers: ${(e as Error).message}`);
  }
}

function iommuFlag(v: string | undefined): IommuMode {
  if (v === undefined || v === 'auto' || v === 'type1' || v === 'iommufd') return v ?? 'auto';
  throw new UsageError(`--iommu must be auto, type1 or iommufd, got "${v}"`);
}

function listFlag(args: ParsedArgs, name: string): string[] {
  return (stringFlag(args, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** --tls-cert and --tls-key: both or neither, each a readable PEM file. */
function tlsFlags(args: ParsedArgs): { cert: Buffer; key: Buffer } | null {
  const cert = stringFlag(args, 'tls-cert');
  const key = stringFlag(args, 'tls-key');
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  const read = (flag: string, file: string, marker: RegExp) => {
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (e) {
      throw new UsageError(`--${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!marker.test(pem.toString('latin1'))) throw new UsageError(`--${flag} ${file} is not a PEM file (no ${marker.source} block)`);
    return pem;
  };
  return { cert: read('tls-cert', cert, /-----BEGIN CERTIFICATE-----/), key: read('tls-key', key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/) };
}

/** --replay FILE: the recording read and indexed, or a usage error naming the flag and what is wrong with the file. */
function openReplay(file: string, args: ParsedArgs): { file: string; index: RecordingIndex } {
  for (const f of ['backend', 'scenario', 'iommu', 'peers'] as const)
    if (args.flags[f] !== undefined) throw new UsageError(`--${f} does not go with --replay (a replay drives no host)`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`--replay ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return { file, index: indexRecording(bytes) };
  } catch (e) {
    throw new UsageError(`--replay ${file}: not a vfioscope recording it can read: ${(e as Error).message}`);
  }
}

function replaySummary({ file, index }: { file: string; index: RecordingIndex }): string {
  const h = index.header;
  const count = (k: string) => index.marks.filter((m) => m.kind === k).length;
  const mins = Math.round((index.endT - index.startT) / 1000);
  return (
    `vfioscope: replaying ${file} (read-only) — ${h.host.name}, ${h.host.backend}${h.host.scenario ? ` "${h.host.scenario}"` : ''}, kernel ${h.host.kernel}\n` +
    `  recorded ${new Date(h.startedAt).toISOString()} for ${Math.floor(mins / 60)}m ${mins % 60}s${index.end === null ? ' (cut short: up to its last record)' : ''}; ` +
    `${count('alert')} alerts, ${count('kernel-fault')} kernel faults, ${count('action')} actions\n`
  );
}

/** The serve flags, parsed (exported for tests). */
export function parseServeFlags(argv: string[]): ParsedArgs {
  return parseFlags(argv, SPEC);
}

export async function runServeCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseServeFlags(argv);
  if (args.flags.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const kind = backendKind(stringFlag(args, 'backend'));
  const listenStr = stringFlag(args, 'listen');
  const addr = listenStr === undefined ? DEFAULT_LISTEN : parseListen(listenStr);
  if (!addr) throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:7070), got "${listenStr}"`);
  const tickHz = numberFlag(args, 'tick-hz', 0.1, 100) ?? DEFAULT_TICK_HZ;
  const storm = stormFlags(args);
  const webDir = stringFlag(args, 'web-dir');
  if (webDir !== undefined && !existsSync(webDir)) throw new UsageError(`--web-dir ${webDir} does not exist`);
  const tokenFile = stringFlag(args, 'token-file');
  const dataDir = ensureDataDir(stringFlag(args, 'data-dir') ?? defaultDataDir());
  let tokens: TokenStore;
  let session: ReturnType<typeof sessionToken> | null = null;
  if (tokenFile !== undefined) {
    try {
      tokens = loadTokenFile(tokenFile);
    } catch (e) {
      throw new UsageError(`--token-file: ${(e as Error).message}`);
    }
  } else {
    session = sessionToken(dataDir);
    tokens = new TokenStore([{ token: session.token, role: 'operator', id: 'login' }]);
  }
  const allowedOrigins = listFlag(args, 'allow-origin');
  const allowedHosts = listFlag(args, 'allowed-host');
  for (const h of allowedHosts)
    if (!/^[A-Za-z0-9.:-]+$/.test(h)) throw new UsageError(`--allowed-host must be a host name or address, got "${h}"`);
  const tls = tlsFlags(args);
  if (!tls && !isLoopback(addr.host) && args.flags['insecure-http'] !== true) {
    throw new UsageError(
      `--listen ${addr.host} is reachable beyond this machine: give --tls-cert and --tls-key so tokens and ` +
        'the stream are encrypted, or --insecure-http to accept sending them in clear',
    );
  }
  const iommu = iommuFlag(stringFlag(args, 'iommu'));
  const logMaxBytes = numberFlag(args, 'log-max-bytes', 4096, 2 ** 40);
  const logKeep = numberFlag(args, 'log-keep', 0, 10_000);
  const maxVectors = metricsMaxVectorsFlag(args);
  const fleet = fleetFlags(args);

  const replayFile = stringFlag(args, 'replay');
  const replay = replayFile === undefined ? undefined : openReplay(replayFile, args);
  // a replay drives no host: an idle sim stands under the app, and every route that would read or act on it is refused
  const host = await openBackend(replay ? 'sim' : kind, replay ? 'edu' : stringFlag(args, 'scenario'));
  const topo = await readTopology(host);
  const server = await listen({
    host,
    tokens,
    dataDir,
    tickHz,
    storm,
    allowedOrigins,
    allowedHosts,
    webDir: webDir ?? null,
    compress: args.flags['no-compress'] !== true,
    ...(session ? { sessionTokenFile: session.file } : {}),
    logger: { level: 'warn' },
    listenHost: addr.host,
    port: addr.port,
    metricsPublic: args.flags['metrics-public'] === true,
    metricsMaxVectors: maxVectors,
    iommu,
    fleet: replay ? { name: replay.index.header.host.name } : fleet,
    ...(replay ? { replay, autoTick: false } : {}),
    ...(tls ? { tls } : {}),
    ...(logMaxBytes !== undefined ? { logMaxBytes } : {}),
    ...(logKeep !== undefined ? { logKeep } : {}),
  }).catch(async (err: unknown) => {
    await host.close();
    throw err;
  });
  shutdownOnSignals(server, io.err);

  const info = server.app.vfio.ctx.hostInfo;
  if (replay) io.out(replaySummary(replay));
  const shownHost = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  // the port bound, which --listen HOST:0 leaves to the kernel
  const base = `${tls ? 'https' : 'http'}://${shownHost}:${new URL(server.origin).port}/`;
  if (!replay) {
    io.out(`vfioscope: ${kind} backend${info.scenario ? `, scenario "${info.scenario}"` : ''} — ${info.hostname}, kernel ${info.kernel}\n`);
    io.out(`  ${topologySummary(topo)}\n`);
  }
  io.out(`  data dir: ${dataDir} (audit.log, events.jsonl)\n`);
  if (server.app.vfio.web === 'stub') io.out('  web UI not built: run "pnpm --filter @vfioscope/web build" (the API works meanwhile)\n');
  if (!isLoopback(addr.host)) {
    io.err(
      `  NOTE: listening on ${addr.host}, reachable beyond this machine${tls ? '' : ' WITHOUT TLS (--insecure-http)'}; anyone with a token can drive VFIO devices\n`,
    );
    if (allowedHosts.length === 0) io.err('  Browsers must reach it by a name given with --allowed-host (or the listen address itself)\n');
  }
  if (session) {
    io.out(
      `\n  Open the dashboard (operator login${session.reused ? `, the token kept in ${session.file}` : ''}):\n    ${base}?token=${session.token}\n`,
    );
    io.out(`  API: curl -H "Authorization: Bearer $(cat ${session.file})" ${base}api/v1/topology\n\n`);
  } else {
    io.out(`\n  Listening on ${base} — ${tokens.list().length} tokens from ${tokenFile}\n\n`);
  }
  if (fleet.peers?.length)
    io.out(`  fleet: this host is "${fleet.name}", fronting ${fleet.peers.map((p) => `${p.name} (${p.url.origin})`).join(', ')}\n`);
  // keep running until a signal
  return new Promise<number>(() => undefined);
}
