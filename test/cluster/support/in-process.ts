/** Cluster nodes as GameServers in the test process (node:net engine, port 0), for the contract suite. */
import { GameClient } from '../../../framework/client/game-client';
import type { ClusterOptions } from '../../../framework/cluster/options';
import { GameServer } from '../../../framework/server/game-server';
import type { GameServerOptions } from '../../../framework/server/options';
import { announceResets, ClusterTestController, defineTestActors, HubRoom } from './app';
import { clusterMessages } from './messages';

export interface TestNode {
  server: GameServer;
  port: number;
  connect(): Promise<GameClient>;
}

export async function startTestNode(
  cluster?: ClusterOptions,
  extra: Partial<GameServerOptions> = {},
): Promise<TestNode> {
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine: 'node',
    limits: { shutdownTimeoutMs: 1000 }, // the contract leaves one actor stuck on purpose
    messages: clusterMessages,
    controllers: [ClusterTestController],
    rooms: { types: { hub: HubRoom } },
    logger: { level: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'silent' },
    ...(cluster !== undefined ? { cluster } : {}),
    ...extra,
  });
  defineTestActors(server);
  announceResets(server, ['arena', 'hall']);
  const { port } = await server.start();
  return {
    server,
    port,
    connect: () => GameClient.connect({ host: '127.0.0.1', port }),
  };
}
