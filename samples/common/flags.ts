/**
 * A small `--flag value` parser for the sample programs. Every flag has a default; unknown flags, missing
 * values and bad numbers throw a FlagError whose message names the flag (the programs print it and exit 2).
 */
export class FlagError extends Error {}

type FlagValue = string | number | boolean;

/** The flags a program takes and their defaults; a default's type decides how the value is parsed. */
export type FlagSpec = Readonly<Record<string, FlagValue>>;

export type Flags<S extends FlagSpec> = {
  -readonly [K in keyof S]: S[K] extends number ? number : S[K] extends string ? string : boolean;
};

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parses argv against the spec (keys in camelCase, flags in kebab-case: ioThreads <-> --io-threads). */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S> {
  const result: Record<string, FlagValue> = { ...spec };
  const known = Object.keys(spec)
    .map((k) => `--${kebab(k)}`)
    .join(' ');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const key = arg.startsWith('--') ? camel(arg.slice(2)) : '';
    if (!Object.prototype.hasOwnProperty.call(spec, key))
      throw new FlagError(`unknown argument ${JSON.stringify(arg)} (flags: ${known})`);
    const fallback = spec[key];
    if (typeof fallback === 'boolean') {
      result[key] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new FlagError(`${arg} needs a value`);
    if (typeof fallback === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < 0)
        throw new FlagError(`${arg} needs a whole number >= 0, got ${JSON.stringify(value)}`);
      result[key] = n;
    } else {
      result[key] = value;
    }
  }
  return result as Flags<S>;
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

/** Runs a sample's main: a FlagError exits 2 with the message, any other failure exits 1. */
export function runMain(program: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${program}: ${message}`);
    process.exit(error instanceof FlagError ? 2 : 1);
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
