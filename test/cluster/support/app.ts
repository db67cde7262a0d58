/** The cluster test application: a counter actor, a room actor, and handlers that drive them from a client. */
import { inject } from 'inversify';
import { Actor } from '../../../framework/actors/actor';
import type { Activation } from '../../../framework/cluster/cluster';
import { GameError } from '../../../framework/errors';
import { Controller, Handler } from '../../../framework/handlers/decorators';
import { GameServer } from '../../../framework/server/game-server';
import { Room, type LeaveReason } from '../../../framework/rooms/room';
import type { Session } from '../../../framework/server/session';
import {
  CounterReq,
  type CounterRes,
  EnterHubReq,
  HubEvent,
  type HubRes,
  HubSaid,
  HubSayReq,
  LeaveHubReq,
  type LeaveHubRes,
  HelloNodeReq,
  type HelloNodeRes,
  JoinRoomReq,
  type JoinRoomRes,
  Pushed,
  PushReq,
  type PushRes,
  RoomReset,
  Shout,
  Shouted,
} from './messages';

/** `hang`: never answers (the actor is stuck for good: use a throw-away id). */
export type CounterMsg = { add: number } | { get: true } | { fail: 'game' | 'plain' } | { hang: true };

/** Keeps every number it is told, in arrival order; `get` answers with the log and its activation. */
export class Counter extends Actor<CounterMsg, CounterRes> {
  private readonly log: number[] = [];
  loaded = false;

  constructor(private readonly activation: Activation) {
    super();
  }

  receive(message: CounterMsg): CounterRes | Promise<CounterRes> {
    if ('hang' in message) return new Promise<CounterRes>(() => undefined);
    if ('fail' in message) {
      if (message.fail === 'game') throw new GameError('NOPE', 'the counter refuses');
      throw new Error('a plain failure');
    }
    if ('add' in message) this.log.push(message.add);
    return {
      log: this.loaded ? [-1, ...this.log] : [...this.log],
      node: this.activation.node,
      reason: this.activation.reason,
      previousNode: this.activation.previousNode ?? '',
    };
  }
}

/** Defines the test actor types on a server's cluster: 'counter' (onActivate marks it loaded) and 'room'. */
export function defineTestActors(server: GameServer): void {
  server.cluster.define('counter', (_id, activation) => new Counter(activation), {
    onActivate: (actor) => {
      (actor as Counter).loaded = true;
    },
  });
  server.cluster.define('room', (_id, activation) => new Counter(activation));
}

type Named = Session<{ name: string }>;

/**
 * A matchmaker room for sessions of every node: it runs on the node that created it (`host`, given at
 * create); members of other nodes are guests. Tells members who joins and leaves (and why).
 */
export class HubRoom extends Room<{ host: string }, { name: string }, { host: string }> {
  override onCreate(options: { host: string }): void {
    this.state = { host: options.host };
  }

  override onJoin(session: Named): HubRes {
    this.broadcast(HubEvent, { kind: 'joined', name: session.requireUser().name, reason: '' });
    return { host: this.state.host, members: [...this.names(), session.requireUser().name], delivered: 0 };
  }

  override onLeave(session: Named, reason: LeaveReason): void {
    this.broadcast(HubEvent, { kind: 'left', name: session.requireUser().name, reason });
  }

  @Handler(HubSayReq)
  say(req: HubSayReq, session: Named): HubRes {
    this.broadcast(HubSaid, { from: session.requireUser().name, text: req.text });
    return { host: this.state.host, members: this.names(), delivered: this.size };
  }

  private names(): string[] {
    return [...this.members.values()].map((member) => member.requireUser().name);
  }
}

@Controller()
export class ClusterTestController {
  constructor(@inject(GameServer) private readonly server: GameServer) {}

  @Handler(HelloNodeReq, { public: true })
  async hello(req: HelloNodeReq, session: Session<{ name: string }>): Promise<HelloNodeRes> {
    session.authenticate({ name: req.name });
    await this.server.cluster.users.register(req.name, session);
    return { node: this.server.cluster.node };
  }

  @Handler(JoinRoomReq)
  async join(req: JoinRoomReq, session: Session<{ name: string }>): Promise<JoinRoomRes> {
    const room = this.server.cluster.room(req.room);
    if (!room.has(session)) {
      room.join(session);
      await this.server.cluster.ref<CounterMsg, CounterRes>('room', req.room).ask({ add: session.id });
    }
    return { node: this.server.cluster.node };
  }

  @Handler(EnterHubReq)
  async enterHub(req: EnterHubReq, session: Named): Promise<HubRes> {
    const { reply } = await this.server.rooms.joinOrCreate(HubRoom, session, {
      id: req.room,
      createOptions: { host: this.server.cluster.node },
    });
    return reply;
  }

  @Handler(LeaveHubReq)
  async leaveHub(req: LeaveHubReq, session: Named): Promise<LeaveHubRes> {
    return { left: await this.server.rooms.leave(session, req.room) };
  }

  @Handler(Shout)
  shout(msg: Shout, session: Session<{ name: string }>): void {
    this.server.cluster
      .room(msg.room)
      .broadcast(Shouted, { from: session.requireUser().name, text: msg.text });
  }

  @Handler(CounterReq)
  async counter(req: CounterReq): Promise<CounterRes> {
    const ref = this.server.cluster.ref<CounterMsg, CounterRes>(req.actor, req.id);
    for (let n = req.first; n < req.first + req.count; n++) ref.tell({ add: n });
    return ref.ask({ get: true });
  }

  @Handler(PushReq)
  async push(req: PushReq): Promise<PushRes> {
    const delivered = await this.server.cluster.users.push(req.user, Pushed, {
      text: req.text,
      node: this.server.cluster.node,
    });
    return { delivered };
  }
}

/** Members of a room whose actor failed over get RoomReset (wired on every node). */
export function announceResets(server: GameServer, roomNames: string[]): void {
  for (const name of roomNames)
    server.cluster.room(name).onReset('room', (members, activation) => {
      for (const member of members)
        member.push(RoomReset, {
          room: name,
          node: activation.node,
          previousNode: activation.previousNode ?? '',
        });
    });
}
