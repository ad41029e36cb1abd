/** `vfioscope scenarios`: the sim's built-in scenarios. */
import { parseFlags, UsageError } from './args.ts';
import { builtinScenarioList } from './backend.ts';
import { table, type CliIo } from './output.ts';

export const SCENARIOS_USAGE = `Usage: vfioscope scenarios [--json]

List the sim backend's built-in scenarios (use one with --scenario NAME; a
scenario JSON file works too: --scenario ./my-host.json).

Options:
  --json       print as JSON
  -h, --help   show this help
`;

export async function runScenariosCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseFlags(argv, { json: { value: false }, help: { value: false } });
  if (args.flags.help) {
    io.out(SCENARIOS_USAGE);
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const list = await builtinScenarioList();
  if (args.flags.json) io.out(`${JSON.stringify(list, null, 2)}\n`);
  else
    io.out(
      table(
        ['NAME', 'GROUPS', 'DEVICES', 'DESCRIPTION'],
        list.map((s) => [s.name, String(s.groups), String(s.devices), s.description]),
      ),
    );
  return 0;
}
