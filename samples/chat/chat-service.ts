import { inject, injectable } from 'inversify';
import { GameError, RoomRegistry, type Session } from '../../framework';
import { ChatRoom } from './chat-room';
import { ChatErrors, MAX_TEXT_LENGTH, NAME_PATTERN } from './errors';
import { ChatMessage, MemberJoined, MemberLeft, PrivateMessage, type JoinRoomRes } from './generated/packets';
import type { RoomInfo } from './generated/chat';

/** Who a logged-in session is. */
export interface ChatUser {
  readonly name: string;
  readonly account: string;
  room: ChatRoom | undefined;
}

export type ChatSession = Session<ChatUser>;

/** Rooms this server keeps at most (rooms stay when empty; this bounds what clients can create). */
export const MAX_ROOMS = 1000;

function checkName(kind: string, name: string): string {
  if (!NAME_PATTERN.test(name))
    throw new GameError(ChatErrors.BAD_NAME, `${kind} must be 1-24 letters, digits, '-', '_' or '.'`);
  return name;
}

function checkText(text: string): string {
  if (text.length === 0 || text.length > MAX_TEXT_LENGTH)
    throw new GameError(ChatErrors.BAD_TEXT, `a message has 1 to ${MAX_TEXT_LENGTH} characters`);
  return text;
}

/** The chat's state: who is logged in under which name and account, and the rooms. */
@injectable()
export class ChatService {
  private readonly byAccount = new Map<string, ChatSession>();
  private readonly byName = new Map<string, ChatSession>(); // key: lower-case nickname
  private readonly rooms = new Map<string, ChatRoom>();

  constructor(@inject(RoomRegistry) private readonly registry: RoomRegistry) {}

  /**
   * Logs the session in. A nickname held by another account is refused (NAME_TAKEN); an account that is
   * logged in on another session takes over: that session leaves its room and is kicked.
   */
  login(session: ChatSession, requestedName: string, requestedAccount: string): string {
    if (session.authenticated) throw new GameError(ChatErrors.ALREADY_LOGGED_IN, 'already logged in');
    const name = checkName('a nickname', requestedName.trim() || `guest-${session.id}`);
    const account = requestedAccount === '' ? `session:${session.id}` : `account:${requestedAccount}`;
    const previous = this.byAccount.get(account);
    const holder = this.byName.get(name.toLowerCase());
    if (holder !== undefined && holder !== previous)
      throw new GameError(ChatErrors.NAME_TAKEN, `the nickname ${name} is taken`);
    if (previous !== undefined) {
      this.logout(previous);
      previous.kick('logged in from another connection');
    }
    session.authenticate({ name, account, room: undefined });
    this.byAccount.set(account, session);
    this.byName.set(name.toLowerCase(), session);
    session.onClose(() => this.logout(session));
    return name;
  }

  /** Leaves the room and frees the nickname and account (on close, or when taken over). */
  logout(session: ChatSession): void {
    const user = session.user;
    if (user === undefined) return;
    this.leave(session);
    if (this.byAccount.get(user.account) === session) this.byAccount.delete(user.account);
    if (this.byName.get(user.name.toLowerCase()) === session) this.byName.delete(user.name.toLowerCase());
    session.logout();
  }

  listRooms(): RoomInfo[] {
    return [...this.rooms.values()]
      .map((r) => ({ name: r.name, members: r.room.size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Throws BAD_NAME unless `name` can name a room. */
  checkRoomName(name: string): void {
    checkName('a room name', name);
  }

  createRoom(name: string): ChatRoom {
    this.checkRoomName(name);
    if (this.rooms.has(name)) throw new GameError(ChatErrors.ROOM_EXISTS, `room ${name} exists already`);
    if (this.rooms.size >= MAX_ROOMS)
      throw new GameError(ChatErrors.ROOM_LIMIT, `this server keeps at most ${MAX_ROOMS} rooms`);
    const room = new ChatRoom(name, this.registry.get(`chat:${name}`));
    this.rooms.set(name, room);
    return room;
  }

  /** Moves the session into the room (leaving its current one); members are told, the joiner gets the history. */
  join(session: ChatSession, name: string, create: boolean): JoinRoomRes {
    const user = session.requireUser();
    let room = this.rooms.get(name);
    if (room === undefined) {
      if (!create) throw new GameError(ChatErrors.NO_SUCH_ROOM, `there is no room ${name}`);
      room = this.createRoom(name);
    }
    if (user.room !== room) {
      this.leave(session);
      room.room.join(session);
      user.room = room;
      room.room.broadcast(MemberJoined, { room: room.name, name: user.name }, session);
    }
    const members = [...room.room.sessions()].map((s) => (s as ChatSession).requireUser().name);
    return { room: room.name, members, history: room.history() };
  }

  /** Leaves the current room (members get MemberLeft); returns its name, or undefined if in none. */
  leave(session: ChatSession): string | undefined {
    const user = session.user;
    const room = user?.room;
    if (user === undefined || room === undefined) return undefined;
    room.room.leave(session);
    user.room = undefined;
    room.room.broadcast(MemberLeft, { room: room.name, name: user.name });
    return room.name;
  }

  /** Sends the text to every member of the sender's room, the sender included; returns how many got it. */
  say(session: ChatSession, text: string): number {
    const user = session.requireUser();
    const room = user.room;
    if (room === undefined) throw new GameError(ChatErrors.NOT_IN_ROOM, 'join a room first (/join NAME)');
    const message = { room: room.name, from: user.name, text: checkText(text), sentAtMs: Date.now() };
    room.remember(message);
    room.room.broadcast(ChatMessage, message);
    return room.room.size;
  }

  /** Sends a private message to the user with that nickname. */
  whisper(session: ChatSession, to: string, text: string): void {
    const from = session.requireUser().name;
    const target = this.byName.get(to.toLowerCase());
    if (target === undefined) throw new GameError(ChatErrors.NO_SUCH_USER, `nobody called ${to} is online`);
    target.push(PrivateMessage, { from, text: checkText(text) });
  }
}
