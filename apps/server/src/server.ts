/**
 * Running the app for real: build it over a host, listen, and shut down in
 * order on SIGINT/SIGTERM — stop sampling and close streams, release what
 * vfioscope holds in the kernel (DriveSession.close: IRQs off, device fds,
 * DMA unmaps, groups, containers), flush and close the logs, then the host.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Host } from '@vfioscope/host';
import { buildApp, type AppOptions } from './app.ts';

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

/** The generated token, readable by local tools (mode 0600), replaced at every start. */
export function writeSessionToken(dataDir: string, token: string): string {
  const file = join(dataDir, 'session-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}
