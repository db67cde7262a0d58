/**
 * One cluster node in its own process: `node -r ts-register.cjs node-main.ts <nats-url> <node> <leaseTtlMs>
 * [--other-table]`. Prints `READY {"port":N}` once listening, or `FAILED {"error":"..."}` and exits 1.
 * `--other-table` adds a message, so the node's message table differs from the others'. Env NODE_PORT,
 * NODE_ENGINE, NODE_IO_THREADS, NODE_REUSE_PORT=1 choose the listener (default port 0 on node:net); with a
 * native engine and reusePort the listener is SO_REUSEPORT, so several node processes can share one port.
 */
import { GameServer } from '../../../framework/server/game-server';
import { jsonMessage } from '../../framework/support/json-messages';
import { announceResets, ClusterTestController, defineTestActors, HubRoom } from './app';
import { clusterMessages } from './messages';

const Extra = jsonMessage<{ x: number }>(299, 'ctest.Extra', { x: 0 });

async function main(): Promise<void> {
  const [servers, node, ttl, flag] = process.argv.slice(2);
  const server = new GameServer({
    port: Number(process.env.NODE_PORT ?? 0),
    host: '127.0.0.1',
    engine: (process.env.NODE_ENGINE as 'epoll' | undefined) ?? 'node',
    ioThreads: Number(process.env.NODE_IO_THREADS ?? 0),
    messages: flag === '--other-table' ? [...clusterMessages, Extra] : clusterMessages,
    controllers: [ClusterTestController],
    rooms: { types: { hub: HubRoom } },
    logger: { level: (process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn' },
    limits: { shutdownTimeoutMs: 2000, ...(process.env.NODE_REUSE_PORT === '1' ? { reusePort: true } : {}) },
    cluster: { servers, node, leaseTtlMs: Number(ttl) },
  });
  defineTestActors(server);
  announceResets(server, ['arena', 'hall']);
  const { port } = await server.start();
  console.log(`READY ${JSON.stringify({ port })}`);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.log(`FAILED ${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}`);
  process.exit(1);
});
