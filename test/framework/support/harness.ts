import { inject, injectable } from 'inversify';
import { GameClient, type GameClientOptions } from '../../../framework/client/game-client';
import { GameError } from '../../../framework/errors';
import { Controller, Handler } from '../../../framework/handlers/decorators';
import { RoomRegistry } from '../../../framework/rooms/room';
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

/** Per-session bookkeeping that proves one-at-a-time handling: `active` must never exceed 1. */
function enter(session: Session<unknown>): number {
  const active = ((session.state.get('active') as number | undefined) ?? 0) + 1;
  session.state.set('active', active);
  if (active > 1) session.state.set('overlap', true);
  const order = ((session.state.get('order') as number | undefined) ?? 0) + 1;
  session.state.set('order', order);
  return order;
}

function leave(session: Session<unknown>): void {
  session.state.set('active', (session.state.get('active') as number) - 1);
}

@Controller()
export class TestController {
  constructor(
    @inject(Gates) private readonly gates: Gates,
    @inject(RoomRegistry) private readonly rooms: RoomRegistry,
  ) {}

  @Handler(LoginReq, { public: true })
  login(req: LoginReq, session: Session<TestUser>): LoginRes {
    if (req.name === 'taken') throw new GameError('NAME_TAKEN', `name ${req.name} is taken`);
    session.authenticate({ name: req.name });
    return { userId: session.id, name: req.name };
  }

  @Handler(EchoReq, { public: true })
  async echo(req: EchoReq, session: Session): Promise<EchoRes> {
    const order = enter(session);
    if (req.delayMs > 0) await sleep(req.delayMs);
    else await Promise.resolve();
    leave(session);
    if (session.state.get('overlap')) throw new GameError('OVERLAP', 'two messages were handled at once');
    return { text: req.text, order };
  }

  @Handler(Note, { public: true })
  async note(note: Note, session: Session): Promise<void> {
    enter(session);
    if (note.delayMs > 0) await sleep(note.delayMs);
    const notes = (session.state.get('notes') as number[] | undefined) ?? [];
    notes.push(note.n);
    session.state.set('notes', notes);
    leave(session);
  }

  @Handler(NotesReq, { public: true })
  notes(_req: NotesReq, session: Session): NotesRes {
    if (session.state.get('overlap')) throw new GameError('OVERLAP', 'two messages were handled at once');
    return { notes: (session.state.get('notes') as number[] | undefined) ?? [] };
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
  join(req: JoinReq, session: Session<TestUser>): JoinRes {
    const room = this.rooms.get(req.room);
    room.join(session);
    return { members: room.size };
  }

  @Handler(Say)
  say(say: Say, session: Session<TestUser>): void {
    this.rooms.find(say.room)?.broadcast(Said, { from: session.id, text: say.text });
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
