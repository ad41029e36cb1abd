/**
 * The abuse suite: the built server as its own process on loopback, attacked
 * the way issue #8 found it could be — over raw sockets, so nothing is
 * normalised on the way. Bounded in count and time; every wait is a
 * deadline on a condition.
 *  - every route, without a token, in every spelling (percent-encoded
 *    letters, absolute-form targets) is refused or not found, never served;
 *  - hostile bodies on every action are refused before the backend, each
 *    refusal in the audit log and no intent;
 *  - cross-origin actions with the operator's cookie are refused;
 *  - a seeded fuzz run: no 5xx, nothing unaudited, no state change.
 * The data-disk cases (full disk, torn audit tail, a large events log at
 * startup) are in logs.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRequests, respellings, type SampleRequest } from '../../apps/server/src/test-support/route-samples.ts';
import { checkAudit, fuzzCases, heldState, runFuzz } from './fuzz.ts';
import { httpRequest, rawRequest } from './raw-http.ts';
import { OPERATOR, startServer, VIEWER, type ServerProcess } from './server-process.ts';

let srv: ServerProcess;
let requests: SampleRequest[];
let container = '';

const auth = { authorization: `Bearer ${OPERATOR}` };
const host = () => ({ host: `127.0.0.1:${srv.port}` });

interface AuditLine {
  phase: string;
  id?: string;
  action?: string;
  status?: number;
  errno?: string;
}
const auditText = (): string[] => readFileSync(join(srv.dataDir, 'audit.log'), 'utf8').split('\n').filter(Boolean);
const auditLines = (): AuditLine[] => auditText().map((l) => JSON.parse(l) as AuditLine);
const state = () => heldState(srv.base, OPERATOR, container, '0000:00:03.0');

beforeAll(async () => {
  srv = await startServer();
  const open = await fetch(`${srv.base}/api/v1/groups/3/open`, { method: 'POST', headers: auth });
  expect(open.status).toBe(200);
  container = String(((await open.json()) as { container: number }).container);
  requests = sampleRequests({ group: '3', bdf: '0000:00:03.0', index: '0', id: container });
}, 180_000);

afterAll(async () => {
  expect(await srv?.stop()).toBe(0);
});

describe('no way around auth', () => {
  it('serves no route without a token, however its target is spelled (encoded, absolute-form)', async () => {
    let tried = 0;
    for (const r of requests.filter((x) => x.spec.role !== 'public')) {
      const targets = [
        ...respellings(r.url),
        `http://127.0.0.1:${srv.port}${r.url}`,
        `http://x${r.url}`,
        `http://127.0.0.1:${srv.port}${r.url.replace('/api/', '/%61pi/')}`,
      ];
      for (const target of targets) {
        for (const h of [host(), { host: 'x' }]) {
          const res = await rawRequest(
            srv.port,
            httpRequest(r.method, target, { ...h, 'content-type': 'application/json' }, JSON.stringify(r.payload ?? {})),
          );
          tried++;
          expect([400, 401, 404, 421], `${r.method} ${target} (Host ${h.host}) → ${res.status} ${res.body.slice(0, 100)}`).toContain(
            res.status,
          );
          expect(res.body).toMatch(/^\{"error":\{"errno":"/);
        }
      }
    }
    expect(tried).toBeGreaterThan(200);
  });

  it('refuses cross-origin actions carrying the operator cookie (body or not)', async () => {
    const before = await state();
    for (const r of requests.filter((x) => x.spec.action)) {
      for (const origin of [`http://127.0.0.1:${srv.port + 1}`, 'http://localhost:1', 'null']) {
        const res = await rawRequest(
          srv.port,
          httpRequest(
            r.method,
            r.url,
            { ...host(), cookie: `vfioscope_token=${OPERATOR}`, origin, ...(r.payload ? { 'content-type': 'application/json' } : {}) },
            r.payload ? JSON.stringify(r.payload) : undefined,
          ),
        );
        expect(res.status, `${r.url} from ${origin}`).toBe(403);
      }
    }
    expect(await state()).toBe(before);
  });
});

describe('no action without its audit line', () => {
  it('refuses deep, huge and malformed bodies on every action before the backend, each audited as refused', async () => {
    const before = await state();
    const bodies = [
      '['.repeat(3000) + ']'.repeat(3000),
      '{"a":'.repeat(5000),
      `{"data":"${'0'.repeat(100_000)}"}`,
      '{"__proto__":{"x":1}}',
      '{',
    ];
    for (const r of requests.filter((x) => x.spec.action)) {
      for (const body of bodies) {
        const n = auditLines().length;
        const res = await rawRequest(
          srv.port,
          httpRequest(r.method, r.url, { ...host(), ...auth, 'content-type': 'application/json' }, body),
        );
        expect([400, 413], `${r.url} ${body.slice(0, 20)} → ${res.status} ${res.body.slice(0, 120)}`).toContain(res.status);
        const added = auditLines().slice(n);
        expect(added, `${r.url} ${body.slice(0, 20)}`).toEqual([
          expect.objectContaining({ phase: 'refused', action: r.spec.action, status: res.status }),
        ]);
      }
    }
    expect(await state()).toBe(before);
  });
});

describe('fuzzing every route', () => {
  it('2,000 malformed requests: no 5xx, every intent has its result, nothing changes', async () => {
    const before = await state();
    const auditBefore = auditText().length;
    const target = {
      port: srv.port,
      operator: OPERATOR,
      viewer: VIEWER,
      samples: { group: '3', bdf: '0000:00:03.0', index: '0', id: container },
    };
    const report = await runFuzz(target, fuzzCases(8, 2000, target));
    expect(report.failures).toEqual([]);
    expect(report.sent).toBe(2000);
    expect(Object.keys(report.byKind).length).toBeGreaterThan(15);
    const audit = checkAudit(auditText().slice(auditBefore));
    expect(audit.unanswered).toEqual([]);
    expect(audit.succeeded).toBe(0);
    expect(audit.refused + audit.intents).toBeGreaterThan(100);
    expect(await state()).toBe(before);
  }, 300_000);
});
