/**
 * `vfioscope uapi`: the VFIO ioctl table from @vfioscope/uapi, for operators
 * decoding strace output (`ioctl(5, _IOC(_IOC_NONE, 0x3b, 0x71, 0), …)` or
 * a bare 0x3b71). Prints the table, or names one number.
 */
import { parseArgs } from 'node:util';
import { decodeIoctl, decodedIoctlJson, formatDecodedIoctl, formatIoctlTable, ioctlTableJson, parseIoctlNumber } from '@vfioscope/uapi';

export const UAPI_USAGE = `Usage:
  vfioscope uapi [--json]                 print every VFIO ioctl: name, number, fd, direction, argument, size
  vfioscope uapi decode <number> [--json] name an ioctl number, hex (0x3b6d) or decimal (15213);
                                          numbers that are not VFIO's are split into _IOC fields
Options:
  --json      machine-readable output
  -h, --help  show this help
`;

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function parseUapiArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
}

/**
 * Run the verb. `argv` is what follows `uapi` on the command line (a leading
 * "uapi" is tolerated). Resolves to the exit code: 0 done, 2 usage error.
 */
export async function runUapiCommand(argv: string[], io: CommandOutput = processOutput): Promise<number> {
  const args = argv[0] === 'uapi' ? argv.slice(1) : argv;
  let parsed: ReturnType<typeof parseUapiArgs>;
  try {
    parsed = parseUapiArgs(args);
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const { json, help } = parsed.values;
  const [sub, ...rest] = parsed.positionals;
  if (help) {
    io.out(UAPI_USAGE);
    return 0;
  }
  if (sub === undefined) {
    io.out(json ? `${JSON.stringify(ioctlTableJson(), null, 2)}\n` : formatIoctlTable());
    return 0;
  }
  if (sub !== 'decode') return usageError(io, `unknown subcommand "${sub}"`);
  if (rest.length !== 1) return usageError(io, 'decode takes exactly one number');
  const n = parseIoctlNumber(rest[0]!);
  if (n === null) return usageError(io, `"${rest[0]}" is not an ioctl number (hex 0x3b6d or decimal, 32-bit)`);
  const decoded = decodeIoctl(n);
  io.out(json ? `${JSON.stringify(decodedIoctlJson(decoded), null, 2)}\n` : formatDecodedIoctl(decoded));
  return 0;
}

function usageError(io: CommandOutput, message: string): number {
  io.err(`vfioscope uapi: ${message}\n\n${UAPI_USAGE}`);
  return 2;
}
