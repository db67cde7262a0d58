import { inject } from 'inversify';
import { Controller, Handler, Matchmaker, type Session } from '../../../framework';
import { LoginReq, type LoginRes } from './generated/packets';
import { LobbyRoom } from './lobby-room';
import { type Player, PlayerService } from './player-service';

@Controller()
export class LoginController {
  constructor(
    @inject(PlayerService) private readonly players: PlayerService,
    @inject(Matchmaker) private readonly rooms: Matchmaker,
  ) {}

  // public: reachable before login. Must return LoginRes (or a Promise of it): the compiler checks.
  // A thrown error undoes the login (the request changes nothing).
  @Handler(LoginReq, { public: true })
  async login(req: LoginReq, session: Session<Player>): Promise<LoginRes> {
    const player = this.players.login(req.user, req.password); // GameError -> Error frame BAD_LOGIN
    session.authenticate(player);
    await this.rooms.joinOrCreate(LobbyRoom, session, { id: 'lobby' });
    return { playerId: player.id, level: player.level };
  }
}
