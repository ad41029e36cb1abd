/**
 * Test fixture: the app over a fresh sim host with a manual clock (sim time
 * and telemetry time move together, only when the test says so), a temp data
 * dir, and one viewer and one operator token. Requests go through app.inject,
 * the stream through injectWS — no ports.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createSimHost, loadScenario, ManualClock, type Scenario } from '@vfioscope/host-sim';
import type { Host } from '@vfioscope/host';
import { buildApp, type AppOptions } from '../app.ts';
import { TokenStore } from '../auth/tokens.ts';
import type { AuditRecord } from '../audit/audit-log.ts';
import { ResponseCheck } from './response-check.ts';

export const OPERATOR = 'operator-token-for-tests';
export const VIEWER = 'viewer-token-for-tests';

export interface AuditAttempt {
  id: string | null;
  action: string;
  tokenId: string | null;
  role: string | null;
  ok: boolean | null;
  status: number | null;
  errno?: string;
  message?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  /** the intent was written but no result (yet) */
  pending: boolean;
}

export function auditAttempts(lines: readonly AuditRecord[]): AuditAttempt[] {
  const out: AuditAttempt[] = [];
  const byId = new Map<string, AuditAttempt>();
  for (const r of lines) {
    if (r.phase === 'intent') {
      const a: AuditAttempt = {
        id: r.id,
        action: r.action,
        tokenId: r.tokenId,
        role: r.role,
        ok: null,
        status: null,
        params: r.params,
        pending: true,
      };
      byId.set(r.id, a);
      out.push(a);
    } else if (r.phase === 'result') {
      const a = byId.get(r.id);
      if (!a) throw new Error(`audit result ${r.id} has no intent`);
      Object.assign(
        a,
        { ok: r.ok, status: r.status, pending: false },
        r.errno !== undefined ? { errno: r.errno, message: r.message } : {},
        'result' in r ? { result: r.result } : {},
      );
    } else if (r.phase === 'refused') {
      out.push({
        id: null,
        action: r.action,
        tokenId: r.tokenId,
        role: r.role,
        ok: false,
        status: r.status,
        errno: r.errno,
        message: r.message,
        ...(r.params ? { params: r.params } : {}),
        pending: false,
      });
    }
  }
  return out;
}

export interface Fixture {
  app: FastifyInstance;
  host: Host;
  clock: ManualClock;
  dataDir: string;
  /** advance sim + telemetry time by ms, in steps of one tick, running each tick */
  advance(ms: number): Promise<void>;
  /** inject as the operator (default), the viewer, or nobody */
  req(opts: InjectOptions & { as?: 'operator' | 'viewer' | 'none' }): Promise<LightMyRequestResponse>;
  /** every line of audit.log */
  audit(): AuditRecord[];
  /** one entry per audited attempt: an intent joined with its result, or a refusal (summaries left out) */
  attempts(): AuditAttempt[];
  close(): Promise<void>;
}

export async function makeFixture(
  scenario: string | Scenario = 'edu',
  {
    wrapHost,
    ...opts
  }: Partial<Omit<AppOptions, 'host' | 'tokens' | 'dataDir'>> & {
    /** put something between the app and the sim host (e.g. to count what the app reads) */
    wrapHost?: (host: Host) => Host;
  } = {},
  /** runs on the fresh data dir before the app opens it (e.g. to leave a large log there) */
  seedDataDir?: (dataDir: string) => void,
): Promise<Fixture> {
  const clock = new ManualClock(1_000_000);
  const sim = createSimHost({ scenario: typeof scenario === 'string' ? loadScenario(scenario) : scenario, clock });
  const host = wrapHost ? wrapHost(sim) : sim;
  const dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-server-test-'));
  seedDataDir?.(dataDir);
  const tokens = new TokenStore([
    { token: OPERATOR, role: 'operator', id: 'op' },
    { token: VIEWER, role: 'viewer', id: 'view' },
  ]);
  const tickHz = opts.tickHz ?? 10;
  const app = await buildApp({
    host,
    tokens,
    dataDir,
    autoTick: false,
    clock: () => clock.now(),
    webDir: join(dataDir, 'no-web'),
    ...opts,
  });
  const responses = new ResponseCheck(app);
  await app.ready();
  const readAudit = (): AuditRecord[] => {
    let text = '';
    try {
      text = readFileSync(join(dataDir, 'audit.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
  };
  return {
    app,
    host,
    clock,
    dataDir,
    async advance(ms) {
      const step = 1000 / tickHz;
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await app.vfio.tick();
      }
    },
    async req({ as = 'operator', ...o }) {
      const headers = { ...(o.headers ?? {}) } as Record<string, string>;
      if (as !== 'none') headers.authorization = `Bearer ${as === 'operator' ? OPERATOR : VIEWER}`;
      const res = await app.inject({ ...o, headers });
      // refusals are written behind the answer (rate-limited, never awaited by the request): let them land
      await app.vfio.ctx.audit.settled();
      const off = responses.take();
      if (off.length > 0) throw new Error(`answers off the OpenAPI document:\n${off.join('\n')}`);
      return res;
    },
    audit: readAudit,
    attempts: () => auditAttempts(readAudit()),
    async close() {
      const off = responses.take();
      await app.close();
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
      // answers to requests made around req() (app.inject, injectWS) are held to the document too
      if (off.length > 0) throw new Error(`answers off the OpenAPI document:\n${off.join('\n')}`);
    },
  };
}
