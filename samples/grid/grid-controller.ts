import { inject } from 'inversify';
import { Controller, GameError, Handler, Matchmaker } from '../../framework';
import { GridRoom, type GridOptions, type GridSession } from './grid-room';

/** The options new grid rooms are created with (bound in the container by startGridServer). */
export class GridSettings {
  constructor(readonly room: Partial<GridOptions>) {}
}
import { JoinGridReq, type JoinGridRes } from './generated/packets';

const NAME = /^[\p{L}\p{N}_.-]{1,24}$/u;

/** Login and matchmaking in one request: a failed join leaves no login behind (the turn is undone). */
@Controller()
export class GridController {
  constructor(
    @inject(Matchmaker) private readonly rooms: Matchmaker,
    @inject(GridSettings) private readonly settings: GridSettings,
  ) {}

  @Handler(JoinGridReq, { public: true })
  async join(request: JoinGridReq, session: GridSession): Promise<JoinGridRes> {
    if (!NAME.test(request.name))
      throw new GameError('BAD_NAME', "a name is 1-24 letters, digits, '-', '_' or '.'");
    session.authenticate({ name: request.name });
    const { reply } = await this.rooms.joinOrCreate(GridRoom, session, {
      createOptions: this.settings.room,
    });
    return reply;
  }
}
