import { inject, injectable } from 'inversify';
import { GameClient, type GameClientOptions } from '../../../framework/client/game-client';
import { GameError } from '../../../framework/errors';
import { Controller, Handler } from '../../../framework/handlers/decorators';
import { Matchmaker } from '../../../framework/rooms/matchmaker';
import { Room } from '../../../framework/rooms/room';
import { GameServer } from '../../../framework/server/game-server';
import type { GameServerOptions } from '../../../framework/server/options';
import type { Session } from '../../../framework/server/session';
import type { CloseReason } from '../../../framework/transport/close-reason';
import {
  allMessages,
  EchoReq,
  type EchoRes,
  FailReq,
  type FailRes,
  JoinReq,
  type JoinRes,
  LoginReq,
  type LoginRes,
  Note,
  NotesReq,
  type NotesRes,
  Said,
  Say,
  WaitReq,
  type WaitRes,
} from './messages';
import type { TransportCase } from './transports';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Named gates a handler can wait on; the test opens them and counts who waits. */
@injectable()
export class Gates {
  private readonly gates = new Map<string, { open: boolean; waiters: (() => void)[] }>();

  private get(name: string) {
    let gate = this.gates.get(name);
    if (!gate) this.gates.set(name, (gate = { open: false, waiters: [] }));
    return gate;
  }

  wait(name: string): Promise<void> {
    const gate = this.get(name);
    if (gate.open) return Promise.resolve();
    return new Promise((resolve) => gate.waiters.push(resolve));
  }

  waiting(name: string): number {
    return this.get(name).waiters.length;
  }

  open(name: string): void {
    const gate = this.get(name);
    gate.open = true;
    for (const resolve of gate.waiters.splice(0)) resolve();
  }
}

export interface TestUser {
  name: string;
}

/** What the test handlers keep per session. */
export interface TestState {
  /** Handlers running right now (must never exceed 1). */
  active?: number;
  overlap?: boolean;
  /** Messages handled so far. */
  order?: number;
  notes?: number[];
  greeting?: string;
}

type TestSession = Session<TestUser, TestState>;

/** Per-session bookkeeping that proves one-at-a-time handling: `active` must never exceed 1. */
function enter(session: TestSession): number {
  const state = session.state;
  state.active = (state.active ?? 0) + 1;
  if (state.active > 1) state.overlap = true;
  state.order = (state.order ?? 0) + 1;
  return state.order;
}

function leave(session: TestSession): void {
  session.state.active = (session.state.active ?? 1) - 1;
}

/** The test room: a join answers with the member count; Say is room-scoped and broadcast to all. */
export class TestRoom extends Room<{ said: number }, TestUser> {
  override onCreate(): void {
    this.state = { said: 0 };
  }

  override onJoin(): number {
    return this.size + 1;
  }

  @Handler(Say)
  say(say: Say, session: TestSession): void {
    this.state.said++;
    this.broadcast(Said, { from: session.id, text: say.text });
  }
}

@Controller()
export class TestController {
  constructor(
    @inject(Gates) private readonly gates: Gates,
    @inject(Matchmaker) private readonly rooms: Matchmaker,
  ) {}

  @Handler(LoginReq, { public: true })
  login(req: LoginReq, session: TestSession): LoginRes {
    if (req.name === 'taken') throw new GameError('NAME_TAKEN', `name ${req.name} is taken`);
    session.authenticate({ name: req.name });
    return { userId: session.id, name: req.name };
  }

  @Handler(EchoReq, { public: true })
  async echo(req: EchoReq, session: TestSession): Promise<EchoRes> {
    const order = enter(session);
    if (req.delayMs > 0) await sleep(req.delayMs);
    else await Promise.resolve();
    leave(session);
    if (session.state.overlap) throw new GameError('OVERLAP', 'two messages were handled at once');
    return { text: req.text, order };
  }

  @Handler(Note, { public: true })
  async note(note: Note, session: TestSession): Promise<void> {
    enter(session);
    if (note.delayMs > 0) await sleep(note.delayMs);
    (session.state.notes ??= []).push(note.n);
    leave(session);
  }

  @Handler(NotesReq, { public: true })
  notes(_req: NotesReq, session: TestSession): NotesRes {
    if (session.state.overlap) throw new GameError('OVERLAP', 'two messages were handled at once');
    return { notes: session.state.notes ?? [] };
  }

  @Handler(FailReq, { public: true })
  async fail(req: FailReq): Promise<FailRes> {
    if (req.mode === 'game') throw new GameError('NAME_TAKEN', 'that name is taken');
    if (req.mode === 'plain') throw new Error('internal detail that must not leak');
    if (req.mode === 'async') {
      await sleep(1);
      throw new GameError('LATER', 'failed after an await');
    }
    return { ok: true };
  }

  @Handler(JoinReq)
  async join(req: JoinReq, session: TestSession): Promise<JoinRes> {
    const { reply } = await this.rooms.joinOrCreate(TestRoom, session, { id: req.room });
    return { members: reply };
  }

  @Handler(WaitReq, { public: true })
  async wait(req: WaitReq): Promise<WaitRes> {
    await this.gates.wait(req.gate);
    return { gate: req.gate };
  }
}

export interface Harness {
  server: GameServer;
  /** Every close the server asked its transport for, in order. */
  serverCloses: { session: number; reason: CloseReason }[];
  port: number;
  gates: Gates;
  connect(options?: Partial<GameClientOptions>): Promise<GameClient>;
  /** Closes every client made by connect() and stops the server. */
  close(): Promise<void>;
}

/** Starts a GameServer on 127.0.0.1:0 over the case's transport with the test controller. */
export async function startServer(
  transportCase: TransportCase,
  options: Partial<Omit<GameServerOptions, 'transport'>> = {},
): Promise<Harness> {
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    transport: transportCase.create(),
    messages: allMessages,
    controllers: [TestController],
    rooms: { types: { test: TestRoom } },
    logger: { level: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'silent' },
    ...options,
  });
  const serverCloses: Harness['serverCloses'] = [];
  const transport = server.transport;
  const close = transport.close.bind(transport);
  transport.close = (session, reason) => {
    serverCloses.push({ session, reason });
    close(session, reason);
  };
  if (!server.container.isBound(Gates)) server.container.bind(Gates).toSelf().inSingletonScope();
  const { port } = await server.start();
  const clients: GameClient[] = [];
  return {
    server,
    serverCloses,
    port,
    gates: server.container.get(Gates),
    async connect(clientOptions = {}) {
      const client = await GameClient.connect({ port, ...clientOptions });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await server.stop();
    },
  };
}
