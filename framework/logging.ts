import pino, { type Logger, type LevelWithSilent } from 'pino';
import { parseOptions } from './options/parse-options';
import { either, flag, nonEmptyString, oneOf, options, satisfying } from './options/rules';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Default: the LOG_LEVEL environment variable, else 'info'. */
  level?: LevelWithSilent;
  /**
   * Human-readable output through pino-pretty (install it: a dev dependency here); default: the
   * LOG_FORMAT environment variable (`pretty` or `json`), else false = one JSON line per event (pino's own).
   */
  pretty?: boolean;
  name?: string;
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Logger).child === 'function' &&
    typeof (value as Logger).info === 'function'
  );
}

export const loggerOptionsSchema = options({
  level: oneOf(LEVELS).optional(),
  pretty: flag().optional(),
  name: nonEmptyString().optional(),
  destination: satisfying<NodeJS.WritableStream>(
    (value) => typeof (value as NodeJS.WritableStream | undefined)?.write === 'function',
    'a writable stream',
  ).optional(),
});

/** GameServer's `logger`: a pino logger or the options of one. */
export const loggerSchema = either(
  satisfying<Logger>(isLogger, 'a pino logger'),
  loggerOptionsSchema,
  'must be a pino logger or { level?, pretty?, name?, destination? }',
);

const FORMATS: readonly string[] = ['json', 'pretty'];

/** LOG_FORMAT: `pretty` asks for pino-pretty, `json` (or unset) for JSON lines. */
function prettyFromEnvironment(): boolean {
  const format = process.env.LOG_FORMAT ?? 'json';
  if (!FORMATS.includes(format))
    throw new RangeError(`LOG_FORMAT must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  return format === 'pretty';
}

/** A structured pino logger; level from the option, else LOG_LEVEL, else 'info'; format likewise (LOG_FORMAT). */
export function createLogger(given: LoggerOptions = {}): Logger {
  const options = parseOptions(
    loggerOptionsSchema,
    { ...given, level: given.level ?? process.env.LOG_LEVEL ?? 'info' },
    'logger options',
  );
  const level = options.level ?? 'info';
  const pretty = options.pretty ?? prettyFromEnvironment();
  const settings = { level, name: options.name ?? 'fastport' };
  const { destination } = options;
  if (!pretty) return destination ? pino(settings, destination) : pino(settings); // default: fast fd 1
  let prettyStream: (options: object) => NodeJS.WritableStream;
  try {
    prettyStream = require('pino-pretty') as typeof prettyStream;
  } catch {
    throw new Error(
      'pretty logs (logger.pretty or LOG_FORMAT=pretty) need the pino-pretty package: npm install --save-dev pino-pretty',
    );
  }
  const colorize = ((destination ?? process.stdout) as { isTTY?: boolean }).isTTY === true;
  return pino(settings, prettyStream({ colorize, sync: true, ...(destination ? { destination } : {}) }));
}
