/**
 * The chat protocol over any GameClientCore: the Node GameClient (TCP or WebSocket; chat-client.ts) and
 * the browser's (the web page, web/app.ts). No Node imports here: this file is bundled for the page.
 */
import type { ClientCloseReason, GameClientCore } from '../../framework/client/client-core';
import type { ReconnectEvent } from '../../framework/resume/client-resume';
import {
  ChatMessage,
  CreateRoomReq,
  JoinRoomReq,
  LeaveRoomReq,
  ListRoomsReq,
  LoginReq,
  MemberJoined,
  MemberLeft,
  PrivateMessage,
  SayReq,
  WhisperReq,
  type JoinRoomRes,
} from './generated/packets';
import type { RoomInfo } from './generated/chat';

/** What the server pushes, plus the end of the connection. */
export type ChatEvent =
  | { kind: 'message'; message: ChatMessage }
  | { kind: 'private'; from: string; text: string }
  | { kind: 'joined'; room: string; name: string }
  | { kind: 'left'; room: string; name: string }
  | { kind: 'closed'; reason: ClientCloseReason; kick: string | undefined }
  /** Session resume: the connection dropped and is coming back, came back, or the session was lost. */
  | { kind: 'connection'; event: ReconnectEvent; room: string | undefined };

/** The chat protocol over a GameClient: typed requests, pushes turned into ChatEvents. */
export class ChatClientCore {
  /** Nickname after login. */
  name: string | undefined;
  /** The room this client is in. */
  room: string | undefined;
  private readonly listeners = new Set<(event: ChatEvent) => void>();

  constructor(readonly game: GameClientCore) {
    game.on(ChatMessage, (message) => this.emit({ kind: 'message', message }));
    game.on(PrivateMessage, ({ from, text }) => this.emit({ kind: 'private', from, text }));
    game.on(MemberJoined, ({ room, name }) => this.emit({ kind: 'joined', room, name }));
    game.on(MemberLeft, ({ room, name }) => this.emit({ kind: 'left', room, name }));
    game.onClose((reason) => {
      if (game.isReconnecting) return; // still in its room: the session is coming back
      this.room = undefined;
      this.emit({ kind: 'closed', reason, kick: game.kickReason });
    });
    game.onReconnect((event) => {
      const room = this.room; // the room it was in
      if (event.type === 'lost') this.room = this.name = undefined;
      this.emit({ kind: 'connection', event, room });
    });
  }

  /** Calls `listener` for every event; returns a function that unsubscribes. */
  onEvent(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Logs in; with a room, joins it too (created if missing) and returns what the join returned. */
  async login(name: string, account = '', room = ''): Promise<{ name: string; joined?: JoinRoomRes }> {
    const res = await this.game.request(LoginReq, { name, account, room });
    this.name = res.name;
    if (res.joined !== undefined) this.room = res.joined.room;
    return res;
  }

  async rooms(): Promise<RoomInfo[]> {
    return (await this.game.request(ListRoomsReq, {})).rooms;
  }

  async create(room: string): Promise<string> {
    return (await this.game.request(CreateRoomReq, { room })).room;
  }

  /** Joins (creating the room if it is missing); the answer has the members and the last messages. */
  async join(room: string, create = true): Promise<JoinRoomRes> {
    const res = await this.game.request(JoinRoomReq, { room, create });
    this.room = res.room;
    return res;
  }

  async leave(): Promise<string> {
    const { room } = await this.game.request(LeaveRoomReq, {});
    this.room = undefined;
    return room;
  }

  /** Says `text` in the current room; resolves with how many members it went to. */
  async say(text: string): Promise<number> {
    return (await this.game.request(SayReq, { text })).delivered;
  }

  async whisper(to: string, text: string): Promise<void> {
    await this.game.request(WhisperReq, { to, text });
  }

  close(): Promise<void> {
    return this.game.close();
  }

  private emit(event: ChatEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
