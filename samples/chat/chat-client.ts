/** The chat client for Node: ChatClientCore over the Node GameClient (TCP, or a shared transport). */
import { GameClient, type Transport } from '../../framework';
import { ChatClientCore } from './chat-client-core';

export type { ChatEvent } from './chat-client-core';

export interface ChatConnectOptions {
  host: string;
  port: number;
  /** A transport shared by many clients (bots); default: the client's own. */
  transport?: Transport;
  /** Resume the session after a dropped connection (docs/resume.md); default off. */
  resume?: boolean;
}

export class ChatClient extends ChatClientCore {
  constructor(override readonly game: GameClient) {
    super(game);
  }

  static async connect(options: ChatConnectOptions): Promise<ChatClient> {
    const { host, port, transport, resume } = options;
    return new ChatClient(await GameClient.connect({ host, port, transport, resume }));
  }
}
