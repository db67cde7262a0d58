import { inject } from 'inversify';
import { Controller, Handler } from '../../framework';
import type { ChatSession } from './chat-room';
import { ChatService } from './chat-service';
import {
  CreateRoomReq,
  JoinRoomReq,
  LeaveRoomReq,
  ListRoomsReq,
  LoginReq,
  WhisperReq,
  type CreateRoomRes,
  type JoinRoomRes,
  type LeaveRoomRes,
  type ListRoomsRes,
  type LoginRes,
  type WhisperRes,
} from './generated/packets';

/** Login: the only request an anonymous session may send. */
@Controller()
export class LoginController {
  constructor(@inject(ChatService) private readonly chat: ChatService) {}

  /** A failed join (bad room name, room limit) undoes the login too: the request changes nothing. */
  @Handler(LoginReq, { public: true })
  async login(request: LoginReq, session: ChatSession): Promise<LoginRes> {
    const name = this.chat.login(session, request.name, request.account);
    const joined = request.room === '' ? undefined : await this.chat.join(session, request.room, true);
    return { name, joined };
  }
}

/** Rooms and private messages; every handler needs a logged-in session. SayReq is ChatRoom's own. */
@Controller()
export class RoomController {
  constructor(@inject(ChatService) private readonly chat: ChatService) {}

  @Handler(ListRoomsReq)
  async list(): Promise<ListRoomsRes> {
    return { rooms: await this.chat.listRooms() };
  }

  @Handler(CreateRoomReq)
  async create(request: CreateRoomReq, session: ChatSession): Promise<CreateRoomRes> {
    return { room: await this.chat.createRoom(session, request.room) };
  }

  @Handler(JoinRoomReq)
  join(request: JoinRoomReq, session: ChatSession): Promise<JoinRoomRes> {
    return this.chat.join(session, request.room, request.create);
  }

  @Handler(LeaveRoomReq)
  async leave(_request: LeaveRoomReq, session: ChatSession): Promise<LeaveRoomRes> {
    return { room: await this.chat.leave(session) };
  }

  @Handler(WhisperReq)
  whisper(request: WhisperReq, session: ChatSession): WhisperRes {
    this.chat.whisper(session, request.to, request.text);
    return {};
  }
}
