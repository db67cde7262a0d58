/** One `fastport <name>` subcommand. */
export interface Command {
  /** One line for `fastport help`. */
  readonly summary: string;
  /** Usage text shown by `fastport help <name>` and on bad arguments. */
  readonly usage: string;
  /** Runs with the arguments after the subcommand name; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number> | number;
}

/** Thrown for bad command-line arguments: the dispatcher prints it with the usage and exits 2. */
export class UsageError extends Error {}
