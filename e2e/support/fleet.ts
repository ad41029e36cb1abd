/**
 * A fleet on loopback (issue 12 §2): sim servers (the peers) and a fleet
 * server (the hub, `serve --peers FILE`) in front of them, every one the
 * built CLI in a process of its own, as the browser tests (e2e/tests/fleet.spec.ts)
 * and the Fleet page bench (bench/fleet-page.bench.ts) need them.
 *
 * Each peer's tokens file holds an operator, a viewer and the hub's token
 * ("hub" role: an operator that may name the person it acts for, so the
 * peer's audit log records the hub's token id with the human beside it).
 * The hub's tokens file holds the human: an operator whose token id is
 * FLEET_HUMAN, and a viewer. Each hub token is in a file of its own that the
 * peers file names, as an operator would keep it.
 *
 * A peer can be stopped and started again on the same port and data dir
 * (its audit log and event log go on), which is how the hub sees a host go
 * down and come back. Process handling is the abuse suite's (startServer):
 * /health with a generous deadline, never a fixed sleep.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertsResponse, HostSummary, HostsResponse } from '@vfioscope/protocol';
import type { AuditRecord } from '../../apps/server/src/audit/audit-log.ts';
import { freePort, type ServerProcess, startServer } from '../abuse/server-process.ts';
import { WEB_DIR } from './own-server.ts';

/** the person at the browser, as the hub's tokens file names them: the audit logs' actor */
export const FLEET_HUMAN = 'alice';
export const FLEET_OPERATOR = 'fleet-e2e-alice-operator-token-0001';
export const FLEET_VIEWER = 'fleet-e2e-viewer-token-0001';
/** a peer's own operator, for REST calls straight to it (not through the hub) */
export const PEER_OPERATOR = 'fleet-e2e-peer-operator-token-0001';
/** the hub's token's id in each peer's tokens file: what the peer's audit log names as the actor */
export const HUB_TOKEN_ID = 'hub';

export interface FleetPeerSpec {
  name: string;
  scenario: string;
}

export interface FleetMember {
  name: string;
  scenario: string;
  port: number;
  /** http://127.0.0.1:PORT */
  base: string;
  dataDir: string;
  tokensFile: string;
  /** null while stopped */
  process: ServerProcess | null;
}

export interface FleetOptions {
  peers: readonly FleetPeerSpec[];
  /** the hub's own host (default "edu", the lightest) */
  hubScenario?: string;
  hubName?: string;
  /** the web UI the hub serves (default: the e2e build, own-server.ts's WEB_DIR); peers serve none */
  webDir?: string;
  /** more `serve` arguments for every peer */
  peerArgs?: readonly string[];
}

type TokenLine = { token: string; role: 'operator' | 'viewer' | 'hub'; id: string };

function writeTokens(file: string, tokens: readonly TokenLine[]): void {
  writeFileSync(file, JSON.stringify(tokens), { mode: 0o600 });
}

function readAudit(dataDir: string): AuditRecord[] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'audit.log'), 'utf8');
  } catch {
    return []; // nothing audited yet
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

export class Fleet {
  private closed = false;

  private constructor(
    /** the temporary directory holding every data dir, tokens file and the peers file */
    readonly dir: string,
    readonly hub: FleetMember,
    readonly peers: ReadonlyMap<string, FleetMember>,
    private readonly peerArgs: readonly string[],
  ) {}

  static async start(opts: FleetOptions): Promise<Fleet> {
    const dir = mkdtempSync(join(tmpdir(), 'vfioscope-fleet-'));
    const hubName = opts.hubName ?? 'hub';
    const member = async (name: string, scenario: string): Promise<FleetMember> => {
      const port = await freePort();
      const dataDir = join(dir, name);
      mkdirSync(dataDir, { mode: 0o700 });
      return {
        name,
        scenario,
        port,
        base: `http://127.0.0.1:${port}`,
        dataDir,
        tokensFile: join(dir, `${name}.tokens.json`),
        process: null,
      };
    };
    const peers = new Map<string, FleetMember>();
    const entries: { name: string; url: string; tokenFile: string }[] = [];
    for (const spec of opts.peers) {
      const p = await member(spec.name, spec.scenario);
      const hubToken = `fleet-e2e-hub-token-for-${spec.name}-0001`;
      writeTokens(p.tokensFile, [
        { token: PEER_OPERATOR, role: 'operator', id: 'peer-operator' },
        { token: FLEET_VIEWER, role: 'viewer', id: 'viewer' },
        { token: hubToken, role: 'hub', id: HUB_TOKEN_ID },
      ]);
      const tokenFile = join(dir, `${spec.name}.hub-token`);
      writeFileSync(tokenFile, `${hubToken}\n`, { mode: 0o600 });
      entries.push({ name: spec.name, url: p.base, tokenFile });
      peers.set(spec.name, p);
    }
    const peersFile = join(dir, 'peers.json');
    writeFileSync(peersFile, JSON.stringify(entries, null, 2));
    const hub = await member(hubName, opts.hubScenario ?? 'edu');
    writeTokens(hub.tokensFile, [
      { token: FLEET_OPERATOR, role: 'operator', id: FLEET_HUMAN },
      { token: FLEET_VIEWER, role: 'viewer', id: 'viewer' },
    ]);
    const fleet = new Fleet(dir, hub, peers, opts.peerArgs ?? []);
    try {
      // the peers at once (each start is mostly waiting for Node to load the bundle), then the hub
      await Promise.all([...peers.keys()].map((n) => fleet.startPeer(n)));
      hub.process = await launch(hub, ['--peers', peersFile, '--web-dir', opts.webDir ?? WEB_DIR]);
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  peer(name: string): FleetMember {
    const p = this.peers.get(name);
    if (!p) throw new Error(`no peer "${name}" in this fleet (${[...this.peers.keys()].join(', ')})`);
    return p;
  }

  /** the hub's login URL at a route: /?token=…#/fleet */
  loginUrl(hash = '#/fleet'): string {
    return `${this.hub.base}/?token=${encodeURIComponent(FLEET_OPERATOR)}${hash}`;
  }

  /** SIGTERM a peer and wait for it to exit; its port and data dir stay its own */
  async stopPeer(name: string): Promise<number | null> {
    const p = this.peer(name);
    const proc = p.process;
    p.process = null;
    return proc ? proc.stop() : null;
  }

  /** start a peer (again): the same port, data dir and tokens */
  async startPeer(name: string): Promise<FleetMember> {
    const p = this.peer(name);
    if (p.process) throw new Error(`peer ${name} is running`);
    p.process = await launch(p, this.peerArgs);
    return p;
  }

  /** GET on the hub as the human (an operator) */
  async hubGet<T>(path: string): Promise<T> {
    return get<T>(this.hub.base, path, FLEET_OPERATOR);
  }

  /** GET /api/v1/hosts on the hub */
  async hosts(): Promise<HostSummary[]> {
    return (await this.hubGet<HostsResponse>('/hosts')).hosts;
  }

  /** GET straight to a peer with its own operator token (not through the hub) */
  async peerGet<T>(name: string, path: string): Promise<T> {
    return get<T>(this.peer(name).base, path, PEER_OPERATOR);
  }

  /** the earliest raisedAt of a peer's active storm alerts, asked of the peer itself; null: none */
  async stormRaisedAt(name: string): Promise<number | null> {
    const { alerts } = await this.peerGet<AlertsResponse>(name, '/alerts');
    const storms = alerts.filter((a) => a.kind === 'storm').map((a) => a.raisedAt);
    return storms.length ? Math.min(...storms) : null;
  }

  /** the hub's audit log (<data-dir>/audit.log), every record */
  hubAudit(): AuditRecord[] {
    return readAudit(this.hub.dataDir);
  }

  /** a peer's audit log, every record (kept across its restarts) */
  peerAudit(name: string): AuditRecord[] {
    return readAudit(this.peer(name).dataDir);
  }

  /** what a member printed on stderr so far (for a failure's message) */
  stderr(name: string): string {
    const m = name === this.hub.name ? this.hub : this.peer(name);
    return m.process?.stderr() ?? '';
  }

  /** stop the hub, then every peer, and remove the directory; safe to call twice */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [this.hub, ...this.peers.values()];
    await Promise.all(
      all.map(async (m) => {
        const proc = m.process;
        m.process = null;
        await proc?.stop();
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** one member's `serve`: its name, scenario, port, data dir and tokens file */
function launch(m: FleetMember, extra: readonly string[]): Promise<ServerProcess> {
  return startServer({
    dataDir: m.dataDir,
    scenario: m.scenario,
    port: m.port,
    // 'session' only means startServer writes no tokens file of its own: ours comes with --token-file
    tokens: 'session',
    extraArgs: ['--name', m.name, '--token-file', m.tokensFile, ...extra],
  });
}

async function get<T>(base: string, path: string, token: string): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${base}/api/v1${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
