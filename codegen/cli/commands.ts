import type { Command } from './command';
import { genCommand } from './gen-command';
import { newCommand } from './commands/new-command';
import { topCommand } from './commands/top-command';

/** The subcommands of `fastport`. Add one by writing a Command and listing it here. */
export const commands: Readonly<Record<string, Command>> = {
  gen: genCommand,
  new: newCommand,
  top: topCommand,
};
