/**
 * The `fastport` command line (commander): `fastport gen`, `fastport new`, `--help` / `-h` on every
 * command, `--version`. Exit codes: 0 done (help and version included), 1 the command failed, 2 bad usage
 * (unknown command or option, missing value), with the usage on stderr.
 */
import { Command, CommanderError } from 'commander';
import { genCommand } from './gen-command';
import { newCommand } from './commands/new-command';
import { UsageError } from './usage-error';

export interface CliInfo {
  /** Printed by `fastport --version`: the fastport package's version. */
  readonly version: string;
}

/** The program: each subcommand's action stores its exit code in `result.code`. */
export function buildProgram(info: CliInfo, result: { code: number }): Command {
  const program = new Command('fastport')
    .description('FastPort game-server tools')
    .version(info.version, '-V, --version', 'print the fastport version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  for (const make of [genCommand, newCommand]) {
    const command = make((code) => void (result.code = code));
    command.exitOverride().showHelpAfterError();
    program.addCommand(command);
  }
  return program;
}

/** `fastport help <name>` for a name that is no command: an error, not the program's help. */
function unknownHelpTopic(program: Command, argv: readonly string[]): string | undefined {
  if (argv[0] !== 'help' || argv[1] === undefined) return undefined;
  return program.commands.some((c) => c.name() === argv[1]) ? undefined : argv[1];
}

/** Runs `fastport ...argv`; resolves to the process exit code. */
export async function main(argv: readonly string[], info: CliInfo = { version: 'unknown' }): Promise<number> {
  const result = { code: 0 };
  const program = buildProgram(info, result);
  const topic = unknownHelpTopic(program, argv);
  if (topic !== undefined) {
    process.stderr.write(`fastport: unknown command "${topic}"\n\n${program.helpInformation()}`);
    return 2;
  }
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      const command = program.commands.find((c) => c.name() === argv[0]) ?? program;
      process.stderr.write(`fastport ${command.name()}: ${error.message}\n\n${command.helpInformation()}`);
      return 2;
    }
    throw error;
  }
}
