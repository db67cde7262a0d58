/** A small game server for the room, matchmaking, user-index and middleware tests. */
import { Writable } from 'node:stream';
import { inject } from 'inversify';
import { GameClient } from '../../../framework/client/game-client';
import { GameError } from '../../../framework/errors';
import { Controller, Handler } from '../../../framework/handlers/decorators';
import { Matchmaker } from '../../../framework/rooms/matchmaker';
import { Room, type LeaveReason } from '../../../framework/rooms/room';
import { GameServer } from '../../../framework/server/game-server';
import type { GameServerOptions } from '../../../framework/server/options';
import type { Session } from '../../../framework/server/session';
import { jsonMessage, jsonRequest } from './json-messages';
import type { TransportCase } from './transports';

export interface Player {
  id: string;
  roles: string[];
}
type PlayerSession = Session<Player>;

// ---- messages (ids 140+) ----
export const SignInRes = jsonMessage<{ id: string }>(141, 'rooms.SignInRes', { id: '' }, 'response');
export const SignInReq = jsonRequest<{ id: string; roles: string[]; room: string }, { id: string }>(
  140,
  'rooms.SignInReq',
  { id: '', roles: [], room: '' },
  SignInRes,
);
export interface EnterRes {
  roomId: string;
  seat: number;
}
export const EnterRes = jsonMessage<EnterRes>(143, 'rooms.EnterRes', { roomId: '', seat: 0 }, 'response');
export interface EnterReq {
  /** 'joinOrCreate' | 'create' | 'join' */
  how: string;
  id: string;
  mode: string;
  /** onJoin refuses when set. */
  refuse: boolean;
}
export const EnterReq = jsonRequest<EnterReq, EnterRes>(
  142,
  'rooms.EnterReq',
  { how: 'joinOrCreate', id: '', mode: '', refuse: false },
  EnterRes,
);
export const LeaveRes = jsonMessage<{ left: boolean }>(145, 'rooms.LeaveRes', { left: false }, 'response');
export const LeaveReq = jsonRequest<Record<string, never>, { left: boolean }>(
  144,
  'rooms.LeaveReq',
  {},
  LeaveRes,
);
export interface MoveRes {
  x: number;
  overlapped: boolean;
}
export const MoveRes = jsonMessage<MoveRes>(147, 'rooms.MoveRes', { x: 0, overlapped: false }, 'response');
export const MoveReq = jsonRequest<{ dx: number }, MoveRes>(146, 'rooms.MoveReq', { dx: 0 }, MoveRes);
export const Tick = jsonMessage<{ tick: number; x: number }>(148, 'rooms.Tick', { tick: 0, x: 0 });
export const AdminRes = jsonMessage<{ ok: boolean }>(150, 'rooms.AdminRes', { ok: false }, 'response');
export const AdminReq = jsonRequest<Record<string, never>, { ok: boolean }>(
  149,
  'rooms.AdminReq',
  {},
  AdminRes,
);
export const PingRes = jsonMessage<{ n: number }>(152, 'rooms.PingRes', { n: 0 }, 'response');
export const LimitedReq = jsonRequest<{ n: number }, { n: number }>(
  151,
  'rooms.LimitedReq',
  { n: 0 },
  PingRes,
);
/** A request no handler answers (the start-up warning names it). */
export const UnhandledRes = jsonMessage<object>(154, 'rooms.UnhandledRes', {}, 'response');
export const UnhandledReq = jsonRequest<object, object>(153, 'rooms.UnhandledReq', {}, UnhandledRes);

export const roomMessages = [
  SignInReq,
  EnterReq,
  LeaveReq,
  MoveReq,
  Tick,
  AdminReq,
  LimitedReq,
  UnhandledReq,
];

/** Hook calls of every ArenaRoom, in order: "create arena-1", "join arena-1 p1", ... */
export const hookLog: string[] = [];

/** The test room: seats from the `mode` metadata, a position moved by members, a tick every 10 ms. */
export class ArenaRoom extends Room<
  { x: number; tick: number; active: number; overlapped: boolean },
  Player
> {
  override maxClients = 3;

  override onCreate(options: { mode?: string }): void {
    this.state = { x: 0, tick: 0, active: 0, overlapped: false };
    if (options?.mode) this.setMetadata({ mode: options.mode });
    hookLog.push(`create ${this.id}`);
    this.setSimulationInterval(() => {
      this.state.tick++;
      this.broadcast(Tick, { tick: this.state.tick, x: this.state.x });
    }, 10);
  }

  override onJoin(session: PlayerSession, options: { refuse?: boolean }): number {
    if (options?.refuse) throw new GameError('NOT_WELCOME', 'this room refuses you');
    hookLog.push(`join ${this.id} ${session.requireUser().id}`);
    return this.size + 1;
  }

  override onLeave(session: PlayerSession, reason: LeaveReason): void {
    hookLog.push(`leave ${this.id} ${session.requireUser().id} ${reason}`);
  }

  override onDispose(): void {
    hookLog.push(`dispose ${this.id}`);
  }

  /** Awaits inside the room: a second member's move must wait for it (one message at a time). */
  @Handler(MoveReq)
  async move(request: { dx: number }, _session: PlayerSession, room: ArenaRoom): Promise<MoveRes> {
    room.state.active++;
    if (room.state.active > 1) room.state.overlapped = true;
    const before = room.state.x;
    await new Promise((resolve) => setTimeout(resolve, 2));
    room.state.x = before + request.dx;
    room.state.active--;
    return { x: room.state.x, overlapped: room.state.overlapped };
  }
}

@Controller()
export class RoomsController {
  constructor(@inject(Matchmaker) private readonly rooms: Matchmaker) {}

  /** Signs in, then (optionally) joins a room: a failing join undoes the sign-in. */
  @Handler(SignInReq, { public: true })
  async signIn(request: { id: string; roles: string[]; room: string }, session: PlayerSession) {
    session.authenticate({ id: request.id, roles: request.roles });
    if (request.room !== '') await this.rooms.join(request.room, session);
    return { id: request.id };
  }

  @Handler(EnterReq)
  async enter(request: EnterReq, session: PlayerSession): Promise<EnterRes> {
    const joinOptions = { refuse: request.refuse };
    const filter = request.mode === '' ? undefined : { mode: request.mode };
    if (request.how === 'create') {
      const room = await this.rooms.create(ArenaRoom, {
        session,
        id: request.id || undefined,
        options: { mode: request.mode },
      });
      return { roomId: room.id, seat: 0 };
    }
    const { room, reply } =
      request.how === 'join'
        ? await this.rooms.join<ArenaRoom>(request.id, session, joinOptions)
        : await this.rooms.joinOrCreate(ArenaRoom, session, {
            id: request.id || undefined,
            filter,
            createOptions: { mode: request.mode },
            joinOptions,
          });
    return { roomId: room.id, seat: reply };
  }

  @Handler(LeaveReq)
  async leave(_request: Record<string, never>, session: PlayerSession) {
    const room = this.rooms.roomOf(session, ArenaRoom);
    return { left: room !== undefined && (await this.rooms.leave(session, room.id)) };
  }

  @Handler(AdminReq, { roles: ['admin'] })
  admin() {
    return { ok: true };
  }

  @Handler(LimitedReq, { rateLimit: { perSecond: 1, burst: 2 } })
  limited(request: { n: number }) {
    return { n: request.n };
  }
}

/** Collects a pino logger's JSON lines. */
export class LogLines extends Writable {
  readonly lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line !== '') this.lines.push(JSON.parse(line));
    done();
  }
}

export interface RoomApp {
  server: GameServer;
  port: number;
  log: LogLines;
  connect(): Promise<GameClient>;
  /** A connected client signed in as `id`. */
  player(id: string, roles?: string[]): Promise<GameClient>;
  close(): Promise<void>;
}

export async function startRoomApp(
  transportCase: TransportCase,
  options: Partial<Omit<GameServerOptions, 'transport'>> = {},
): Promise<RoomApp> {
  const log = new LogLines();
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    transport: transportCase.create(),
    messages: roomMessages,
    controllers: [RoomsController],
    rooms: { types: { arena: ArenaRoom } },
    users: { idOf: (user: Player) => user.id },
    logger: { level: 'warn', destination: log },
    ...options,
  });
  const { port } = await server.start();
  const clients: GameClient[] = [];
  const connect = async () => {
    const client = await GameClient.connect({ port, heartbeat: false });
    clients.push(client);
    return client;
  };
  return {
    server,
    port,
    log,
    connect,
    async player(id, roles = []) {
      const client = await connect();
      await client.request(SignInReq, { id, roles, room: '' });
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await server.stop();
    },
  };
}
