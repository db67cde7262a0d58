/** One bench node: a GameServer on port 0 (node:net) in a cluster, with an 'echo' actor type and a room. */
import { Actor } from '../../framework/actors/actor';
import { Controller, Handler } from '../../framework/handlers/decorators';
import { GameServer } from '../../framework/server/game-server';
import type { Session } from '../../framework/server/session';
import { JoinReq, type JoinRes, Shout, Shouted, benchMessages } from './messages';

class Echo extends Actor<unknown, unknown> {
  receive(message: unknown): unknown {
    return message;
  }
}

let current: GameServer | undefined;

@Controller()
class BenchController {
  @Handler(JoinReq, { public: true })
  join(req: JoinReq, session: Session): JoinRes {
    current!.cluster.room(req.room).join(session);
    return { node: current!.cluster.node };
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
    logger: { level: 'warn' },
    limits: { rateLimit: false },
    ...(nats !== undefined ? { cluster: { servers: nats, node } } : {}),
  });
  current = server;
  server.cluster.define('echo', () => new Echo());
  const { port } = await server.start();
  return { server, port };
}
