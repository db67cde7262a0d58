import type { Room } from '../../framework';
import { HISTORY_LENGTH } from './errors';
import type { ChatMessage } from './generated/packets';

/** A framework Room (members, one-encode broadcast) plus the room's recent history. */
export class ChatRoom {
  private readonly recent: ChatMessage[] = [];

  constructor(
    readonly name: string,
    readonly room: Room,
  ) {}

  /** Remembers the message; the oldest goes once HISTORY_LENGTH are kept. */
  remember(message: ChatMessage): void {
    this.recent.push(message);
    if (this.recent.length > HISTORY_LENGTH) this.recent.shift();
  }

  /** The kept messages, oldest first. */
  history(): ChatMessage[] {
    return [...this.recent];
  }
}
