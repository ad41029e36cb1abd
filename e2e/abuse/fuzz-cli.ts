/**
 * The long fuzz run, by hand (not part of npm test, which runs 2,000 cases in
 * the abuse suite): N malformed requests (default 20 000) at the built
 * server on loopback, then the verdicts — 5xx answers, unaudited actions
 * (intents without a result), state changes — printed with the counts by
 * kind and status. Figures go to bench/baselines/fuzz-routes.txt.
 *   pnpm exec tsx e2e/abuse/fuzz-cli.ts [count] [seed]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit, fuzzCases, heldState, runFuzz } from './fuzz.ts';
import { OPERATOR, startServer, VIEWER } from './server-process.ts';

const count = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 1);
const srv = await startServer();
try {
  const auth = { authorization: `Bearer ${OPERATOR}` };
  const open = await fetch(`${srv.base}/api/v1/groups/3/open`, { method: 'POST', headers: auth });
  const container = String(((await open.json()) as { container: number }).container);
  // something to lose: a mapping and a wired interrupt
  await fetch(`${srv.base}/api/v1/containers/${container}/mappings`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ iova: '0x100000', size: '0x2000', flags: ['read', 'write'] }),
  });
  await fetch(`${srv.base}/api/v1/devices/0000:00:03.0/irqs/INTX`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{"action":"trigger"}',
  });
  const target = {
    port: srv.port,
    operator: OPERATOR,
    viewer: VIEWER,
    samples: { group: '3', bdf: '0000:00:03.0', index: '0', id: container },
  };
  const auditFile = join(srv.dataDir, 'audit.log');
  const auditBefore = readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).length;
  const before = await heldState(srv.base, OPERATOR, container, '0000:00:03.0');
  const t0 = Date.now();
  const report = await runFuzz(target, fuzzCases(seed, count, target));
  const seconds = (Date.now() - t0) / 1000;
  const after = await heldState(srv.base, OPERATOR, container, '0000:00:03.0');
  const audit = checkAudit(readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).slice(auditBefore));
  const fivexx = Object.entries(report.byStatus)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  console.log(`fuzz: ${report.sent} malformed requests (seed ${seed}) in ${seconds.toFixed(1)} s`);
  console.log(`  by status: ${JSON.stringify(report.byStatus)}`);
  console.log(`  by kind:   ${JSON.stringify(report.byKind)}`);
  console.log(`  5xx: ${fivexx}; judged wrong (5xx, 2xx, not the problem format, no answer): ${report.failures.length}`);
  console.log(
    `  audit: ${audit.intents} intents, ${audit.unanswered.length} without a result, ${audit.succeeded} succeeded; ${audit.refused} refused records, ${audit.summaries} refusal summaries`,
  );
  console.log(`  state changed: ${before === after ? 'no' : 'YES'}`);
  for (const f of report.failures.slice(0, 10)) console.log(`  FAIL ${f.kind} → ${f.status} ${f.body}\n    ${f.request.split('\r\n')[0]}`);
  process.exitCode = fivexx === 0 && report.failures.length === 0 && audit.unanswered.length === 0 && before === after ? 0 : 1;
} finally {
  await srv.stop();
}
