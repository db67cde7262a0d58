import { inject, injectable } from 'inversify';
import { GameError, GameServer, Matchmaker, type UserIndexOptions } from '../../framework';
import { ChatRoom, type ChatSession, type ChatUser } from './chat-room';
import { ChatErrors, MAX_TEXT_LENGTH, NAME_PATTERN } from './errors';
import { PrivateMessage, type JoinRoomRes } from './generated/packets';
import type { RoomInfo } from './generated/chat';

/** Rooms this server keeps at most, and live rooms one session may have created. */
export const MAX_ROOMS = 1000;
export const MAX_ROOMS_PER_SESSION = 3;

/**
 * The chat's user index: a user is its nickname (case-insensitive). The same account logging in again
 * takes over (the older session is kicked); a nickname held by another account is refused.
 */
export const chatUsers: UserIndexOptions<ChatUser> = {
  idOf: (user) => user.name.toLowerCase(),
  secondLogin: (holder, user) => {
    if (holder.user?.account !== user.account)
      throw new GameError(ChatErrors.NAME_TAKEN, `the nickname ${user.name} is taken`);
    return 'takeover';
  },
};

function checkName(kind: string, name: string): string {
  if (!NAME_PATTERN.test(name))
    throw new GameError(ChatErrors.BAD_NAME, `${kind} must be 1-24 letters, digits, '-', '_' or '.'`);
  return name;
}

/**
 * The chat's requests on the framework's user index and matchmaker: no state of its own. A request
 * answered with an Error changes nothing (the framework undoes the turn's login, joins and creations).
 */
@injectable()
export class ChatService {
  constructor(
    @inject(Matchmaker) private readonly rooms: Matchmaker,
    @inject(GameServer) private readonly server: GameServer,
  ) {}

  /** Logs the session in under a nickname (a guest name if empty); NAME_TAKEN, BAD_NAME, ALREADY_LOGGED_IN. */
  login(session: ChatSession, requestedName: string, requestedAccount: string): string {
    if (session.authenticated) throw new GameError(ChatErrors.ALREADY_LOGGED_IN, 'already logged in');
    const name = checkName('a nickname', requestedName.trim() || `guest-${session.id}`);
    const account = requestedAccount === '' ? `session:${session.id}` : `account:${requestedAccount}`;
    session.authenticate({ name, account });
    return name;
  }

  async listRooms(): Promise<RoomInfo[]> {
    const listings = await this.rooms.list(ChatRoom);
    return listings
      .map((r) => ({ name: r.id, members: r.clients }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates an empty room (disposed if nobody joins it in time); ROOM_EXISTS, ROOM_LIMIT, BAD_NAME. */
  async createRoom(session: ChatSession, name: string): Promise<string> {
    checkName('a room name', name);
    return (await this.rooms.create(ChatRoom, { session, id: name })).id;
  }

  /**
   * Moves the session into the room (leaving its current one); creates it if asked. In a cluster the room
   * may be on another node: it is one room for every node.
   */
  async join(session: ChatSession, name: string, create: boolean): Promise<JoinRoomRes> {
    checkName('a room name', name);
    const current = this.rooms.roomOf(session, ChatRoom);
    if (current?.id === name && current.host === undefined)
      return current.run((room) => room.describe(session));
    if (!create && !(await this.rooms.exists(name)))
      throw new GameError(ChatErrors.NO_SUCH_ROOM, `there is no room ${name}`);
    if (current !== undefined) await this.rooms.leave(session, current.id);
    const { reply } = create
      ? await this.rooms.joinOrCreate(ChatRoom, session, { id: name })
      : await this.rooms.join<ChatRoom>(name, session);
    return reply;
  }

  /** Leaves the current room; NOT_IN_ROOM if in none. */
  async leave(session: ChatSession): Promise<string> {
    const current = this.rooms.roomOf(session, ChatRoom);
    if (current === undefined) throw new GameError(ChatErrors.NOT_IN_ROOM, 'you are not in a room');
    await this.rooms.leave(session, current.id);
    return current.id;
  }

  /** Sends a private message to the user with that nickname, on this node or (in a cluster) another. */
  async whisper(session: ChatSession, to: string, text: string): Promise<void> {
    const from = session.requireUser().name;
    if (text.length === 0 || text.length > MAX_TEXT_LENGTH)
      throw new GameError(ChatErrors.BAD_TEXT, `a message has 1 to ${MAX_TEXT_LENGTH} characters`);
    const target = this.server.users.find(to.toLowerCase());
    if (target !== undefined) target.push(PrivateMessage, { from, text });
    else if (!(await this.server.cluster.users.push(to.toLowerCase(), PrivateMessage, { from, text })))
      throw new GameError(ChatErrors.NO_SUCH_USER, `nobody called ${to} is online`);
  }
}
