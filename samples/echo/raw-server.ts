/**
 * Raw echo server on the FastPort transport (no protobuf, no sessions layer): every frame comes back with
 * the same msgId and seq. Throughput demo: the message-rate limit does not exist at this layer.
 *
 *   npm run build && npm run echo                       # 127.0.0.1:7100, engine auto
 *   node dist/samples/echo/raw-server.js --host 127.0.0.1 --port 7100 --engine epoll --io-threads 0
 *
 * Flags: --host (default 127.0.0.1), --port (default 7100, 0 = any free port), --engine
 * (auto | epoll | uring | node, default auto), --io-threads (default 0), --max-frame-bytes (default 1 MiB);
 * --help lists them. Logs the chosen engine and port (a JSON line; LOG_LEVEL, LOG_FORMAT=pretty); exits
 * cleanly on SIGINT / SIGTERM.
 */
import { createLogger } from '../../framework/logging';
import { createTransport, type EngineChoice, type Transport } from '../../framework/transport';
import { parseFlags, runMain } from '../common/flags';

export const DEFAULT_ECHO_HOST = '127.0.0.1';
export const DEFAULT_ECHO_PORT = 7100;

export interface EchoOptions {
  host?: string;
  port?: number;
  engine?: EngineChoice;
  ioThreads?: number;
  maxFrameBytes?: number;
}

export interface EchoServer {
  transport: Transport;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEchoServer(options: EchoOptions = {}): Promise<EchoServer> {
  const transport = createTransport({
    engine: options.engine ?? 'auto',
    ioThreads: options.ioThreads ?? 0,
    maxFrameBytes: options.maxFrameBytes,
    sendHardLimit: Math.max(10 * 1024 * 1024, 4 * (options.maxFrameBytes ?? 0)),
  });
  transport.setHandler({
    onOpen: () => undefined,
    onFrame: (session, msgId, seq, payload) => transport.send(session, msgId, seq, payload),
    onWritable: () => undefined,
    onClose: () => undefined,
  });
  const host = options.host ?? DEFAULT_ECHO_HOST;
  const { port } = await transport.listen(host, options.port ?? DEFAULT_ECHO_PORT);
  return { transport, host, port, stop: () => transport.shutdown() };
}

const RAW_ECHO_DEFAULTS = {
  host: DEFAULT_ECHO_HOST,
  port: DEFAULT_ECHO_PORT,
  engine: 'auto',
  ioThreads: 0,
  maxFrameBytes: 1024 * 1024,
};

/** Parses the flags (node:util parseArgs: `--port 7100` or `--port=7100`, `-h` / `--help`). */
export function parseEchoArgs(argv: readonly string[]): EchoOptions {
  const flags = parseFlags(argv, RAW_ECHO_DEFAULTS, 'raw echo server', {
    summary: 'Raw echo on the FastPort transport: every frame comes back with its msgId and seq.',
    flags: {
      host: 'address to listen on',
      port: 'port (0 = any free port)',
      engine: 'auto | epoll | uring | node',
      ioThreads: 'native I/O threads (0 = on the JS thread)',
      maxFrameBytes: 'largest frame accepted',
    },
  });
  return { ...flags, engine: flags.engine as EngineChoice };
}

async function main(): Promise<void> {
  const server = await startEchoServer(parseEchoArgs(process.argv.slice(2)));
  const logger = createLogger({ name: 'raw-echo' });
  logger.info(
    { host: server.host, port: server.port, engine: server.transport.engine, rateLimit: false },
    `listening on ${server.host}:${server.port} with engine ${server.transport.engine}`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) runMain('raw echo server', main);
