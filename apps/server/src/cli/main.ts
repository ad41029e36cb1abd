/**
 * The `vfioscope` command (`pnpm vfioscope <verb>`): serve, topology,
 * scenarios, uapi. Usage errors exit 2 with the verb's usage; failures exit 1.
 */
import { UsageError } from './args.ts';
import { processIo, type CliIo } from './output.ts';
import { RECORD_USAGE, runRecordCommand } from './record-command.ts';
import { runScenariosCommand, SCENARIOS_USAGE } from './scenarios-command.ts';
import { runServeCommand, SERVE_USAGE } from './serve-command.ts';
import { runTopologyCommand, TOPOLOGY_USAGE } from './topology-command.ts';
import { runUapiCommand, UAPI_USAGE } from './uapi-command.ts';

export const MAIN_USAGE = `Usage: vfioscope <command> [options]

A live dashboard for Linux VFIO: IOMMU groups, devices, IRQ rates, pinned
pages and DMA mappings, on the real kernel or a built-in simulation.

Commands:
  serve       serve the web UI and the API (REST, WebSocket stream, /metrics)
  record      record a host's stream to a file, to replay elsewhere
  topology    print IOMMU groups, devices, viability and owners
  scenarios   list the simulation's built-in scenarios
  uapi        the VFIO ioctl table; decode an ioctl number

Run "vfioscope <command> --help" for a command's options.
`;

const VERBS: Record<string, { run: (argv: string[], io: CliIo) => Promise<number>; usage: string }> = {
  serve: { run: runServeCommand, usage: SERVE_USAGE },
  record: { run: runRecordCommand, usage: RECORD_USAGE },
  topology: { run: runTopologyCommand, usage: TOPOLOGY_USAGE },
  scenarios: { run: runScenariosCommand, usage: SCENARIOS_USAGE },
  uapi: { run: (argv, io) => runUapiCommand(argv, io), usage: UAPI_USAGE },
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    (verb === undefined ? io.err : io.out)(MAIN_USAGE);
    return verb === undefined ? 2 : 0;
  }
  const cmd = VERBS[verb];
  if (!cmd) {
    io.err(`vfioscope: unknown command "${verb}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`vfioscope ${verb}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    const err = e as Error & { errno?: string };
    io.err(`vfioscope ${verb}: ${err.errno ? `${err.errno}: ` : ''}${err.message}\n`);
    return 1;
  }
}

// run when executed directly (tsx apps/server/src/cli/main.ts …), not when imported by tests
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
