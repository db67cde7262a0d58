import pino, { type Logger, type LevelWithSilent } from 'pino';

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

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const FORMATS: readonly string[] = ['json', 'pretty'];

/** LOG_FORMAT: `pretty` asks for pino-pretty, `json` (or unset) for JSON lines. */
function prettyFromEnvironment(): boolean {
  const format = process.env.LOG_FORMAT ?? 'json';
  if (!FORMATS.includes(format))
    throw new RangeError(`LOG_FORMAT must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  return format === 'pretty';
}

/** A structured pino logger; level from the option, else LOG_LEVEL, else 'info'; format likewise (LOG_FORMAT). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level))
    throw new RangeError(`log level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
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

export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Logger).child === 'function' &&
    typeof (value as Logger).info === 'function'
  );
}
