/** The Node client: FastPort TCP through a transport (default engine 'node'), or WebSocket with `url`. */
import WebSocket from 'ws';
import { OptionError } from '../errors';
import { createTransport } from '../transport/create-transport';
import type { EngineChoice, Transport } from '../transport/transport';
import { connectedOrClosed, GameClientCore, type GameClientCoreOptions } from './client-core';
import { WebSocketClientTransport, type WebSocketConstructor } from './websocket-client-transport';

export { RequestError, type ClientCloseReason } from './client-core';

export interface GameClientOptions extends Partial<GameClientCoreOptions> {
  /** A transport to connect through (may be shared by many clients); closing a client does not shut it down. */
  transport?: Transport;
  /** Engine for a transport of the client's own (default 'node'); ignored with `transport`. */
  engine?: EngineChoice;
  /** ws://host:port/path: WebSocket instead of TCP (host and port are taken from it). */
  url?: string;
}

export class GameClient extends GameClientCore {
  constructor(options: GameClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new OptionError('GameClient options must be an object');
    if (options.transport !== undefined && options.engine !== undefined)
      throw new OptionError('give either transport or engine, not both');
    if (options.url !== undefined) {
      if (options.transport !== undefined || options.engine !== undefined)
        throw new OptionError('url (WebSocket) cannot be combined with transport or engine');
      const url = WebSocketClientTransport.parseUrl(options.url);
      const transport = new WebSocketClientTransport(WebSocket as unknown as WebSocketConstructor, url);
      super({ ...options, host: url.hostname, port: url.port }, transport, true);
      return;
    }
    const transport = options.transport ?? createTransport({ engine: options.engine ?? 'node' });
    super({ ...options, port: options.port as number }, transport, options.transport === undefined);
  }

  /** Creates a client and connects it (handshake included). */
  static async connect(options: GameClientOptions): Promise<GameClient> {
    return connectedOrClosed(new GameClient(options));
  }
}
