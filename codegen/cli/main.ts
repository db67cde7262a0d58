import type { Command } from './command';
import { UsageError } from './command';
import { commands as builtinCommands } from './commands';

function help(commands: Readonly<Record<string, Command>>): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${commands[n].summary}`);
  return `usage: fastport <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nfastport help <command> for its options.`;
}

/** Dispatches `fastport <command> ...args` through the command table; resolves to the exit code. */
export async function main(argv: readonly string[], commands = builtinCommands): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0] !== undefined ? commands[args[0]] : undefined;
    console.log(topic ? topic.usage : help(commands));
    return 0;
  }
  const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(`fastport: unknown command "${name}"\n\n${help(commands)}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`fastport ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    throw err;
  }
}
