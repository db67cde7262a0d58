/**
 * Command-line flags for the sample programs, the bench runner and the scripts, on node:util's parseArgs:
 * `--flag value` and `--flag=value`, `-h` / `--help`. Every flag has a default whose type decides how the
 * value is parsed. Bad input throws a FlagError naming the flag; `--help` throws HelpRequested. runMain
 * turns those into the conventions: help on stdout and exit 0; a bad flag, its message and the usage on
 * stderr and exit 2; any other failure exit 1.
 */
import { parseArgs } from 'node:util';

export class FlagError extends Error {
  constructor(
    message: string,
    /** The usage text, printed after the message. */
    readonly usage = '',
  ) {
    super(message);
  }
}

/** Thrown for `-h` / `--help`: runMain prints the usage and exits 0. */
export class HelpRequested extends FlagError {}

type FlagValue = string | number | boolean;

/** The flags a program takes and their defaults; a default's type decides how the value is parsed. */
export type FlagSpec = Readonly<Record<string, FlagValue>>;

export type Flags<S extends FlagSpec> = {
  -readonly [K in keyof S]: S[K] extends number ? number : S[K] extends string ? string : boolean;
};

/** What the usage says beyond the flag list: one line about the program, and a line per flag (camelCase key). */
export interface FlagHelp {
  readonly summary?: string;
  readonly flags?: Readonly<Record<string, string>>;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The usage text: `--io-threads N   what (default 0)` per flag. */
export function usageOf(program: string, spec: FlagSpec, help: FlagHelp = {}): string {
  const rows = Object.entries(spec).map(([key, fallback]) => {
    const name = `--${kebab(key)}${typeof fallback === 'boolean' ? '' : typeof fallback === 'number' ? ' N' : ' VALUE'}`;
    const shown =
      typeof fallback === 'boolean' ? '' : ` (default ${fallback === '' ? 'none' : String(fallback)})`;
    return [name, `${help.flags?.[key] ?? ''}${shown}`.trim()];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
  return `usage: ${program} [flags]\n${help.summary ? `\n${help.summary}\n` : ''}\nflags:\n${lines.join('\n')}\n`;
}

/** Parses argv against the spec (keys in camelCase, flags in kebab-case: ioThreads <-> --io-threads). */
export function parseFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  program = 'program',
  help: FlagHelp = {},
): Flags<S> {
  const usage = usageOf(program, spec, help);
  const keyOf = new Map(Object.keys(spec).map((key) => [kebab(key), key]));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [flag, key] of keyOf)
    options[flag] = { type: typeof spec[key] === 'boolean' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new FlagError((error as Error).message.split('\n')[0], usage);
  }
  if (values.help === true) throw new HelpRequested('', usage);
  const result: Record<string, FlagValue> = { ...spec };
  for (const [flag, key] of keyOf) {
    const value = values[flag];
    if (value === undefined) continue;
    if (typeof spec[key] !== 'number') {
      result[key] = value;
      continue;
    }
    const n = Number(value);
    if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new FlagError(`--${flag} needs a whole number >= 0, got ${JSON.stringify(value)}`, usage);
    result[key] = n;
  }
  return result as Flags<S>;
}

/** Help lines of the flags every sample server takes (listener, engine, logging, admin listener). */
export const SERVER_FLAG_HELP = {
  host: 'address to listen on',
  port: 'port (0 = any free port)',
  engine: 'auto | epoll | uring | node',
  ioThreads: 'native I/O threads (0 = on the JS thread)',
  logLevel: 'fatal | error | warn | info | debug | trace | silent (default from LOG_LEVEL)',
  adminPort: 'admin listener port on 127.0.0.1 (0 = any free port): metrics, health, API, dashboard',
} as const;

/** Help lines of `--cluster` and `--node` (chat and grid). */
export const CLUSTER_FLAG_HELP = {
  cluster: 'NATS URL (JetStream) to join a cluster of nodes, e.g. nats://127.0.0.1:4222 ("" = one process)',
  node: "this node's name in the cluster (default <sample>-<pid>)",
} as const;

/**
 * `--cluster URL --node NAME` as GameServer's `cluster` option: '' (the default) runs in one process; a
 * node name defaults to `<sample>-<pid>` (docs/deployment.md).
 */
export function clusterOption(
  url: string,
  node: string,
  sample: string,
): { servers: string; node: string } | undefined {
  if (url === '') return undefined;
  return { servers: url, node: node || `${sample}-${process.pid}` };
}

/**
 * `--admin-port PORT` as GameServer's `admin` option: '' (the default) leaves the admin listener off;
 * a port (0 = any free one) turns it on at 127.0.0.1 (docs/operations.md).
 */
export function adminOption(adminPort: string): { port: number } | undefined {
  if (adminPort === '') return undefined;
  const port = Number(adminPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new FlagError(`--admin-port needs a port from 0 to 65535, got ${JSON.stringify(adminPort)}`);
  return { port };
}

/** Prints a flag problem the conventional way; returns the exit code (0 for help, 2 for a bad flag). */
export function reportFlagError(program: string, error: FlagError): number {
  if (error instanceof HelpRequested) {
    process.stdout.write(error.usage);
    return 0;
  }
  process.stderr.write(`${program}: ${error.message}\n\n${error.usage}`);
  return 2;
}

/** Runs a program's main: help exits 0, a FlagError exits 2 with the usage, any other failure exits 1. */
export function runMain(program: string, main: () => Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof FlagError) process.exit(reportFlagError(program, error));
      const message = error instanceof Error ? error.message : String(error);
      console.error(`${program}: ${message}`);
      process.exit(1);
    });
}

/** Stops the server once on SIGINT / SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
