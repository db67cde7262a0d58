/** The Node client: FastPort TCP through a transport (default engine 'node'), or WebSocket with `url`. */
import WebSocket from 'ws';
import { createTransport } from '../transport/create-transport';
import { connectedOrClosed, GameClientCore } from './client-core';
import { parseClientOptions } from './client-options';
import { nodeClientOptionsSchema, type GameClientOptions } from './node-client-options';
import { WebSocketClientTransport, type WebSocketConstructor } from './websocket-client-transport';

export { RequestError, type ClientCloseReason } from './client-core';
export type { GameClientOptions } from './node-client-options';

export class GameClient extends GameClientCore {
  constructor(given: GameClientOptions) {
    const { transport, engine, url, ...core } = parseClientOptions(nodeClientOptionsSchema, given);
    if (url !== undefined) {
      const where = WebSocketClientTransport.parseUrl(url);
      const ws = new WebSocketClientTransport(WebSocket as unknown as WebSocketConstructor, where);
      super({ ...core, host: where.hostname, port: where.port }, ws, true);
      return;
    }
    const own = transport === undefined;
    super(
      { ...core, port: core.port as number },
      transport ?? createTransport({ engine: engine ?? 'node' }),
      own,
    );
  }

  /** Creates a client and connects it (handshake included). */
  static async connect(options: GameClientOptions): Promise<GameClient> {
    return connectedOrClosed(new GameClient(options));
  }
}
