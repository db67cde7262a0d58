/**
 * A GameServer in its own process for the process-level fault cases (fd exhaustion, SIGTERM).
 * argv[2] = engine; env FAULT_CHILD_LIMITS = JSON of GameServer limits. Prints {"port"} as one JSON
 * line once listening; answers IPC 'stats' with the transport counters and memoryUsage() when it can be read
 * (the parent counts the child's fds: at the limit the child cannot open /proc/self/fd); on SIGTERM it
 * stops gracefully and prints {"stopped":true}, then must exit by itself (nothing calls process.exit).
 */
import { GameServer } from '../../../framework/server/game-server';
import type { EngineName } from '../../../framework/transport/transport';
import { Gates, TestController } from '../../framework/support/harness';
import { allMessages } from '../../framework/support/messages';

/** process.memoryUsage() reads /proc/self: at the fd limit it throws, and then there is no figure. */
function memoryUsage(): NodeJS.MemoryUsage | undefined {
  try {
    global.gc?.(); // with --expose-gc (the soak): heapUsed is then what is really kept
    return process.memoryUsage();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const engine = process.argv[2] as EngineName;
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine,
    limits: JSON.parse(process.env.FAULT_CHILD_LIMITS ?? '{}') as Record<string, number>,
    messages: allMessages,
    controllers: [TestController],
    logger: { level: 'silent' },
  });
  server.container.bind(Gates).toSelf().inSingletonScope();
  const { port } = await server.start();
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: server.transport.stats(), memory: memoryUsage() });
  });
  process.once('SIGTERM', () => {
    process.channel?.unref();
    void server.stop().then(() => console.log(JSON.stringify({ stopped: true })));
  });
  console.log(JSON.stringify({ port }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
