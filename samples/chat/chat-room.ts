import { GameError, Handler, Room, type Session } from '../../framework';
import { ChatErrors, HISTORY_LENGTH, MAX_TEXT_LENGTH } from './errors';
import {
  ChatMessage,
  MemberJoined,
  MemberLeft,
  SayReq,
  type JoinRoomRes,
  type SayRes,
} from './generated/packets';

/** Who a logged-in session is. */
export interface ChatUser {
  readonly name: string;
  readonly account: string;
}

export type ChatSession = Session<ChatUser>;

/** A chat room's state: its recent messages, oldest first (at most HISTORY_LENGTH). */
export interface ChatRoomState {
  history: ChatMessage[];
}

function checkText(text: string): string {
  if (text.length === 0 || text.length > MAX_TEXT_LENGTH)
    throw new GameError(ChatErrors.BAD_TEXT, `a message has 1 to ${MAX_TEXT_LENGTH} characters`);
  return text;
}

/**
 * One chat room (its id is its name), run as an actor: joins, leaves and SayReq are handled one at a time.
 * Members are told who joins and leaves; a joiner gets the members and the history. Disposed when empty.
 */
export class ChatRoom extends Room<ChatRoomState, ChatUser> {
  override onCreate(): void {
    this.state = { history: [] };
  }

  override onJoin(session: ChatSession): JoinRoomRes {
    this.broadcast(MemberJoined, { room: this.id, name: session.requireUser().name });
    return this.describe(session);
  }

  /** What a joiner is shown: the members (`session` last if it is joining now) and the history. */
  describe(session: ChatSession): JoinRoomRes {
    const members = [...this.members.values()].map((member) => member.requireUser().name);
    if (!this.has(session)) members.push(session.requireUser().name);
    return { room: this.id, members, history: [...this.state.history] };
  }

  override onLeave(session: ChatSession): void {
    this.broadcast(MemberLeft, { room: this.id, name: session.requireUser().name });
  }

  /** Said to every member, the sender included; answers how many got it. */
  @Handler(SayReq)
  say(request: SayReq, session: ChatSession): SayRes {
    const from = session.requireUser().name;
    const message = { room: this.id, from, text: checkText(request.text), sentAtMs: Date.now() };
    this.state.history.push(message);
    if (this.state.history.length > HISTORY_LENGTH) this.state.history.shift();
    this.broadcast(ChatMessage, message);
    return { delivered: this.size };
  }
}
