import { Container } from 'inversify';
import { GameServer, type GameServerOptions } from '../../../framework';
import * as packets from './generated/packets';
import { LobbyRoom } from './lobby-room';
import { LoginController } from './login-controller';
import { PlayerService } from './player-service';

/** Builds the server; `overrides` lets tests pick the port, engine and log level. */
export function createServer(overrides: Partial<GameServerOptions> = {}): GameServer {
  const container = new Container();
  container.bind(PlayerService).toSelf().inSingletonScope();
  return new GameServer({
    port: 7000,
    host: '0.0.0.0',
    engine: 'auto', // uring where it works, else epoll; node without the addon
    messages: packets.registry,
    controllers: [LoginController],
    rooms: { types: { lobby: LobbyRoom } },
    container,
    logger: { level: 'info' },
    ...overrides,
  });
}

if (require.main === module) {
  const server = createServer();
  server.start().catch((error: unknown) => {
    server.logger.fatal({ err: error }, 'cannot start');
    process.exit(1);
  });
  process.once('SIGTERM', () => void server.stop());
}
