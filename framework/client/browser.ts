/**
 * The browser build's entry (ESM, no Node built-ins; bundled by scripts/build-browser-client.js): the same
 * GameClient API over the browser's WebSocket.
 */
import { connectedOrClosed, GameClientCore, type GameClientCoreOptions } from './client-core';
import { WebSocketClientTransport, type WebSocketConstructor } from './websocket-client-transport';

export { RequestError, type ClientCloseReason } from './client-core';
export { GameError } from '../errors';

export interface BrowserGameClientOptions extends Omit<GameClientCoreOptions, 'host' | 'port'> {
  /** ws:// or wss:// URL of the FastPort server, e.g. `ws://${location.host}/`. */
  url: string;
}

export class GameClient extends GameClientCore {
  constructor(options: BrowserGameClientOptions) {
    const url = WebSocketClientTransport.parseUrl(options.url);
    const impl = (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
    super({ ...options, host: url.hostname, port: url.port }, new WebSocketClientTransport(impl, url), true);
  }

  static async connect(options: BrowserGameClientOptions): Promise<GameClient> {
    return connectedOrClosed(new GameClient(options));
  }
}
