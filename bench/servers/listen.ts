/**
 * Shared start-up of the hand-written benchmark servers (node:net and `ws`): `--port N [--host H]`,
 * prints `READY port=<n>` once listening, exits cleanly on SIGTERM / SIGINT.
 */
import * as net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FlagError, parseFlags, reportFlagError } from '../../samples/common/flags';
import { MAX_FRAME_BYTES } from './frame-splitter';

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

function listenOptionsOrExit(name: string): ListenOptions {
  try {
    return parseListenArgs(process.argv.slice(2), name);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.exit(reportFlagError(name, error));
  }
}

function exitOnSignals(): void {
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function failed(name: string): (error: Error) => void {
  return (error) => {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  };
}

/** Starts a node:net server whose sockets are handled by onSocket. */
export function serve(name: string, onSocket: (socket: net.Socket) => void): void {
  const options = listenOptionsOrExit(name);
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy()); // a reset client must not take the server down
    onSocket(socket);
  });
  server.on('error', failed(name));
  server.listen({ host: options.host, port: options.port, backlog: 4096 }, () => {
    const address = server.address() as net.AddressInfo;
    process.stdout.write(`READY port=${address.port} server=${name}\n`);
  });
  exitOnSignals();
}

/** True when `ws` will mask / unmask with the native bufferutil (it loads it when it can be required). */
function bufferutilLoaded(): boolean {
  if (process.env.WS_NO_BUFFER_UTIL) return false;
  try {
    require.resolve('bufferutil');
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a `ws` WebSocketServer (any path, no compression, messages up to the frame limit) whose
 * connections are handled by onSocket; the READY line says whether bufferutil is in use.
 */
export function serveWebSocket(name: string, onSocket: (socket: WebSocket) => void): void {
  const options = listenOptionsOrExit(name);
  const server = new WebSocketServer({
    host: options.host,
    port: options.port,
    backlog: 4096,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  server.on('connection', (socket) => {
    socket.on('error', () => socket.terminate()); // a protocol violation must not take the server down
    onSocket(socket);
  });
  server.on('error', failed(name));
  server.on('listening', () => {
    const address = server.address() as net.AddressInfo;
    const native = bufferutilLoaded() ? 'yes' : 'no';
    process.stdout.write(`READY port=${address.port} server=${name} bufferutil=${native}\n`);
  });
  exitOnSignals();
}
