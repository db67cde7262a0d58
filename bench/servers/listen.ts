/** Shared start-up of the node:net benchmark servers: `--port N [--host H]`, prints `READY port=<n>`. */
import * as net from 'node:net';

export interface ListenOptions {
  host: string;
  port: number;
}

export function parseListenArgs(argv: string[]): ListenOptions {
  const options: ListenOptions = { host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--port' && value !== undefined && /^\d+$/.test(value) && Number(value) <= 65535) {
      options.port = Number(value);
      i++;
    } else if (flag === '--host' && value !== undefined) {
      options.host = value;
      i++;
    } else {
      throw new Error(`unknown or invalid option '${flag}' (usage: --port N [--host H])`);
    }
  }
  return options;
}

/** Starts a server whose sockets are handled by onSocket; exits cleanly on SIGTERM / SIGINT. */
export function serve(name: string, onSocket: (socket: net.Socket) => void): void {
  let options: ListenOptions;
  try {
    options = parseListenArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(2);
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
