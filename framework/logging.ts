import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Default: the LOG_LEVEL environment variable, else 'info'. */
  level?: LevelWithSilent;
  /** Human-readable output through pino-pretty (a dev dependency); default false = JSON lines. */
  pretty?: boolean;
  name?: string;
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A structured pino logger; level from the option, else LOG_LEVEL, else 'info'. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level))
    throw new RangeError(`log level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const settings = { level, name: options.name ?? 'fastport' };
  const { destination } = options;
  if (!options.pretty) return destination ? pino(settings, destination) : pino(settings); // default: fast fd 1
  let pretty: (options: object) => NodeJS.WritableStream;
  try {
    pretty = require('pino-pretty') as typeof pretty;
  } catch {
    throw new Error('logger.pretty needs the pino-pretty package: npm install --save-dev pino-pretty');
  }
  const colorize = ((destination ?? process.stdout) as { isTTY?: boolean }).isTTY === true;
  return pino(settings, pretty({ colorize, sync: true, ...(destination ? { destination } : {}) }));
}

export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Logger).child === 'function' &&
    typeof (value as Logger).info === 'function'
  );
}
