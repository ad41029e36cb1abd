/**
 * A vfioscope server of the test's own, for the tests that stop and restart
 * it (the shared ones in playwright.config.ts must stay up): the built CLI on
 * a free loopback port, without --token-file so it makes (and keeps, in
 * <data-dir>/session-token) its own operator token, serving the e2e web build.
 * Reuses the abuse suite's process handling.
 */
import { expect } from '@playwright/test';
import { join } from 'node:path';
import { ROOT, type ServerProcess, startServer } from '../abuse/server-process.ts';

export const WEB_DIR = process.env.VFIOSCOPE_E2E_WEB_DIR ?? join(ROOT, 'apps/web/dist');

export interface OwnServer extends ServerProcess {
  /** the login URL it printed: http://127.0.0.1:PORT/?token=… */
  loginUrl: string;
  token: string;
}

export async function startOwnServer(opts: { dataDir: string; scenario: string; port?: number; args?: string[] }): Promise<OwnServer> {
  const server = await startServer({
    dataDir: opts.dataDir,
    scenario: opts.scenario,
    tokens: 'session',
    extraArgs: ['--web-dir', WEB_DIR, ...(opts.args ?? [])],
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  // printed right after it starts listening, so it may trail /health by a moment
  let match: RegExpMatchArray | null = null;
  await expect
    .poll(() => {
      match = server.stdout().match(/(http:\/\/\S+\/\?token=([A-Za-z0-9_-]+))/);
      return match !== null;
    })
    .toBe(true);
  const [, loginUrl, token] = match as unknown as [string, string, string];
  return { ...server, loginUrl, token };
}
