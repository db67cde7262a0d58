/**
 * One bench node: a GameServer on port 0 in a cluster, with an 'echo' actor type, a cluster room group
 * and a matchmaker room type ('bench': hosted on one node, members of other nodes are its guests).
 */
import { Actor } from '../../framework/actors/actor';
import { Controller, Handler } from '../../framework/handlers/decorators';
import { GameServer } from '../../framework/server/game-server';
import { Room } from '../../framework/rooms/room';
import type { Session } from '../../framework/server/session';
import { EnterReq, JoinReq, type JoinRes, RoomShout, Shout, Shouted, benchMessages } from './messages';

class Echo extends Actor<unknown, unknown> {
  receive(message: unknown): unknown {
    return message;
  }
}

let current: GameServer | undefined;

/** Broadcasts every RoomShout to its members (on every node: once per other node, fanned out there). */
class BenchRoom extends Room<{ host: string }, unknown, { host: string }> {
  override onCreate(options: { host: string }): void {
    this.state = { host: options.host };
  }

  override onJoin(): JoinRes {
    return { node: this.state.host };
  }

  @Handler(RoomShout, { public: true })
  shout(msg: Shout): void {
    this.broadcast(Shouted, msg);
  }
}

@Controller()
class BenchController {
  @Handler(JoinReq, { public: true })
  join(req: JoinReq, session: Session): JoinRes {
    current!.cluster.room(req.room).join(session);
    return { node: current!.cluster.node };
  }

  @Handler(EnterReq, { public: true })
  async enter(req: JoinReq, session: Session): Promise<JoinRes> {
    const node = current!.cluster.node;
    const { reply } = await current!.rooms.joinOrCreate(BenchRoom, session, {
      id: req.room,
      createOptions: { host: node },
    });
    return reply;
  }

  @Handler(Shout, { public: true })
  shout(msg: Shout): void {
    current!.cluster.room(msg.room).broadcast(Shouted, msg);
  }
}

/** Starts a node (in a cluster when `nats` is given); resolves with its port. */
export async function startBenchNode(
  nats: string | undefined,
  node: string,
): Promise<{ server: GameServer; port: number }> {
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine: 'auto',
    messages: benchMessages,
    controllers: [BenchController],
    rooms: { types: { bench: BenchRoom } },
    logger: { level: 'warn' },
    limits: { rateLimit: false },
    ...(nats !== undefined ? { cluster: { servers: nats, node } } : {}),
  });
  current = server;
  server.cluster.define('echo', () => new Echo());
  const { port } = await server.start();
  return { server, port };
}
