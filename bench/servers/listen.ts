/** Shared start-up of the node:net benchmark servers: `--port N [--host H]`, prints `READY port=<n>`. */
import * as net from 'node:net';
import { FlagError, parseFlags, reportFlagError } from '../../samples/common/flags';

export interface ListenOptions {
  host: string;
  port: number;
}

/** `--port N` / `--port=N`, `--host H`, `--help` (node:util parseArgs through the samples' flags). */
export function parseListenArgs(argv: string[], name = 'bench server'): ListenOptions {
  const options = parseFlags(argv, { host: '127.0.0.1', port: 0 }, name, {
    flags: { host: 'address to listen on', port: 'port (0 = any free port)' },
  });
  if (options.port > 65535) throw new FlagError(`--port needs 0..65535, got ${options.port}`);
  return options;
}

/** Starts a server whose sockets are handled by onSocket; exits cleanly on SIGTERM / SIGINT. */
export function serve(name: string, onSocket: (socket: net.Socket) => void): void {
  let options: ListenOptions;
  try {
    options = parseListenArgs(process.argv.slice(2), name);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.exit(reportFlagError(name, error));
  }
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy()); // a reset client must not take the server down
    onSocket(socket);
  });
  server.on('error', (error) => {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  });
  server.listen({ host: options.host, port: options.port, backlog: 4096 }, () => {
    const address = server.address() as net.AddressInfo;
    process.stdout.write(`READY port=${address.port} server=${name}\n`);
  });
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
