import { inject } from 'inversify';
import { Controller, GameError, Handler } from '../../framework';
import { ChatService, type ChatSession } from './chat-service';
import { ChatErrors } from './errors';
import {
  CreateRoomReq,
  JoinRoomReq,
  LeaveRoomReq,
  ListRoomsReq,
  LoginReq,
  SayReq,
  WhisperReq,
  type CreateRoomRes,
  type JoinRoomRes,
  type LeaveRoomRes,
  type ListRoomsRes,
  type LoginRes,
  type SayRes,
  type WhisperRes,
} from './generated/packets';

/** Login: the only request an anonymous session may send. */
@Controller()
export class LoginController {
  constructor(@inject(ChatService) private readonly chat: ChatService) {}

  @Handler(LoginReq, { public: true })
  login(request: LoginReq, session: ChatSession): LoginRes {
    if (request.room !== '') this.chat.checkRoomName(request.room);
    const name = this.chat.login(session, request.name, request.account);
    return { name, joined: request.room === '' ? undefined : this.chat.join(session, request.room, true) };
  }
}

/** Rooms and messages; every handler needs a logged-in session. */
@Controller()
export class RoomController {
  constructor(@inject(ChatService) private readonly chat: ChatService) {}

  @Handler(ListRoomsReq)
  list(): ListRoomsRes {
    return { rooms: this.chat.listRooms() };
  }

  @Handler(CreateRoomReq)
  create(request: CreateRoomReq): CreateRoomRes {
    return { room: this.chat.createRoom(request.room).name };
  }

  @Handler(JoinRoomReq)
  join(request: JoinRoomReq, session: ChatSession): JoinRoomRes {
    return this.chat.join(session, request.room, request.create);
  }

  @Handler(LeaveRoomReq)
  leave(_request: LeaveRoomReq, session: ChatSession): LeaveRoomRes {
    const room = this.chat.leave(session);
    if (room === undefined) throw new GameError(ChatErrors.NOT_IN_ROOM, 'you are not in a room');
    return { room };
  }

  @Handler(SayReq)
  say(request: SayReq, session: ChatSession): SayRes {
    return { delivered: this.chat.say(session, request.text) };
  }

  @Handler(WhisperReq)
  whisper(request: WhisperReq, session: ChatSession): WhisperRes {
    this.chat.whisper(session, request.to, request.text);
    return {};
  }
}
