import type { Command } from './command';
import { genCommand } from './gen-command';

/** The subcommands of `fastport`. Add one by writing a Command and listing it here. */
export const commands: Readonly<Record<string, Command>> = {
  gen: genCommand,
};
