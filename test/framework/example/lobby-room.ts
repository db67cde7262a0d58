import { Handler, Room, type Session } from '../../../framework';
import { Chat, ChatPush } from './generated/packets';
import type { Player } from './player-service';

/** Everyone logged in; chat said here goes to every member. Runs as an actor: one message at a time. */
export class LobbyRoom extends Room<{ said: number }, Player> {
  override autoDispose = false; // the lobby stays when empty

  override onCreate(): void {
    this.state = { said: 0 };
  }

  // Room-scoped and one-way (returns void): runs in the lobby's mailbox; only for authenticated sessions.
  @Handler(Chat)
  chat(msg: Chat, session: Session<Player>): void {
    this.state.said++;
    this.broadcast(ChatPush, { from: session.requireUser().name, text: msg.text });
  }
}
