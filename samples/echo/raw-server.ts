/**
 * Raw echo server on the FastPort transport (no protobuf, no sessions layer): every frame comes back with
 * the same msgId and seq. Throughput demo: the message-rate limit does not exist at this layer.
 *
 *   npm run build && npm run echo                       # 127.0.0.1:7100, engine auto
 *   node dist/samples/echo/raw-server.js --host 127.0.0.1 --port 7100 --engine epoll --io-threads 0
 *
 * Flags: --host (default 127.0.0.1), --port (default 7100, 0 = any free port), --engine
 * (auto | epoll | uring | node, default auto), --io-threads (default 0), --max-frame-bytes (default 1 MiB).
 * Prints the chosen engine and port; exits cleanly on SIGINT / SIGTERM.
 */
import { createTransport, type EngineChoice, type Transport } from '../../framework/transport';

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

/** Parses `--name value` flags; throws on unknown flags or missing values. */
export function parseEchoArgs(argv: readonly string[]): EchoOptions {
  const options: EchoOptions = {};
  const integer = (flag: string, value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n))
      throw new Error(`${flag} needs an integer, got ${JSON.stringify(value)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--host':
        options.host = value;
        break;
      case '--port':
        options.port = integer(flag, value);
        break;
      case '--engine':
        options.engine = value as EngineChoice;
        break;
      case '--io-threads':
        options.ioThreads = integer(flag, value);
        break;
      case '--max-frame-bytes':
        options.maxFrameBytes = integer(flag, value);
        break;
      default:
        throw new Error(
          `unknown flag ${flag} (flags: --host --port --engine --io-threads --max-frame-bytes)`,
        );
    }
  }
  return options;
}

async function main(): Promise<void> {
  const server = await startEchoServer(parseEchoArgs(process.argv.slice(2)));
  console.log(
    `raw echo listening on ${server.host}:${server.port}, engine ${server.transport.engine}` +
      ` (message-rate limit: none at the transport layer)`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
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

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`raw echo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
