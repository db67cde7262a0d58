/**
 * The browser build's entry (ESM, no Node built-ins; bundled by scripts/build-browser-client.js): the same
 * GameClient API over the browser's WebSocket.
 */
import { connectedOrClosed, GameClientCore } from './client-core';
import { browserClientOptionsSchema, parseClientOptions, type GameClientCoreOptions } from './client-options';
import { WebSocketClientTransport, type WebSocketConstructor } from './websocket-client-transport';

export { RequestError, type ClientCloseReason } from './client-core';
export { GameError, OptionError } from '../errors';

export interface BrowserGameClientOptions extends Omit<GameClientCoreOptions, 'host' | 'port'> {
  /** ws:// or wss:// URL of the FastPort server, e.g. `ws://${location.host}/`. */
  url: string;
}

export class GameClient extends GameClientCore {
  constructor(given: BrowserGameClientOptions) {
    const { url, ...core } = parseClientOptions(browserClientOptionsSchema, given);
    const where = WebSocketClientTransport.parseUrl(url);
    const impl = (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
    super(
      { ...core, host: where.hostname, port: where.port },
      new WebSocketClientTransport(impl, where),
      true,
    );
  }

  static async connect(options: BrowserGameClientOptions): Promise<GameClient> {
    return connectedOrClosed(new GameClient(options));
  }
}
