/**
 * Running the app for real: build it over a host, listen, and shut down in
 * order on SIGINT/SIGTERM — stop sampling and close streams, release what
 * vfioscope holds in the kernel (DriveSession.close: IRQs off, device fds,
 * DMA unmaps, groups, containers), flush and close the logs, then the host.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Host } from '@vfioscope/host';
import { buildApp, type AppOptions } from './app.ts';
import { generateToken } from './auth/tokens.ts';

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port */
  origin: string;
  close(): Promise<void>;
}

export async function listen(opts: AppOptions & { listenHost: string; port: number; closeHost?: boolean }): Promise<RunningServer> {
  const app = await buildApp(opts);
  let address: string;
  try {
    address = await app.listen({ host: opts.listenHost, port: opts.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const host: Host = opts.host;
  let closing: Promise<void> | null = null;
  return {
    app,
    origin: address,
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          if (opts.closeHost !== false) await host.close();
        }
      })();
      return closing;
    },
  };
}

/** Install SIGINT/SIGTERM handlers: the first shuts down in order, a second forces the exit. */
export function shutdownOnSignals(server: RunningServer, log: (s: string) => void): void {
  let signalled = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      log(`${sig} again: exiting without finishing teardown\n`);
      process.exit(1);
    }
    signalled = true;
    log(`${sig}: closing streams, releasing VFIO groups and containers, flushing logs…\n`);
    server.close().then(
      () => {
        log('vfioscope stopped\n');
        process.exit(0);
      },
      (err: unknown) => {
        log(`teardown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

export const SESSION_TOKEN_FILE = 'session-token';

/**
 * The operator token of a server started without --token-file: the one in
 * <data-dir>/session-token when there is one, so an open page (and a script
 * reading the file) keeps working across restarts; a new one otherwise,
 * written there readable by its owner only (0600). Delete the file to
 * revoke it: the next start makes another.
 */
export function sessionToken(dataDir: string): { token: string; file: string; reused: boolean } {
  const file = join(dataDir, SESSION_TOKEN_FILE);
  let kept: string | null = null;
  try {
    kept = readFileSync(file, 'utf8').trim();
  } catch {
    kept = null;
  }
  if (kept && /^[A-Za-z0-9_-]{16,}$/.test(kept)) return { token: kept, file, reused: true };
  const token = generateToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, reused: false };
}
