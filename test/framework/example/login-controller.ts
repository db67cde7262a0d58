import { inject } from 'inversify';
import { Controller, Handler, RoomRegistry, type Session } from '../../../framework';
import { Chat, ChatPush, LoginReq, type LoginRes } from './generated/packets';
import { type Player, PlayerService } from './player-service';

@Controller()
export class LoginController {
  constructor(
    @inject(PlayerService) private readonly players: PlayerService,
    @inject(RoomRegistry) private readonly rooms: RoomRegistry,
  ) {}

  // public: reachable before login. Must return LoginRes (or a Promise of it): the compiler checks.
  @Handler(LoginReq, { public: true })
  login(req: LoginReq, session: Session<Player>): LoginRes {
    const player = this.players.login(req.user, req.password); // GameError -> Error frame BAD_LOGIN
    session.authenticate(player);
    this.rooms.get('lobby').join(session);
    return { playerId: player.id, level: player.level };
  }

  // One-way (no response); only for authenticated sessions.
  @Handler(Chat)
  chat(msg: Chat, session: Session<Player>): void {
    const from = session.requireUser().name;
    this.rooms.get('lobby').broadcast(ChatPush, { from, text: msg.text });
  }
}
