/**
 * Chat server: login with a nickname, rooms (list, create, join, leave), room messages with the last 50
 * sent on join, private messages, join/leave notices, and a second login of an account kicking the first.
 * Built on the framework's user index (chatUsers) and rooms (ChatRoom): the sample keeps no maps.
 * Runs with the framework's default limits (message rate included).
 *
 *   npm run chat:server                                  # 127.0.0.1:7300, engine auto
 *   node dist/samples/chat/server.js --port 7300 --engine epoll --log-level warn
 *   node dist/samples/chat/server.js --cluster nats://127.0.0.1:4222 --node chat-1 --port 7301
 * In a cluster, rooms are shared (a room lives on the node that made it; members on other nodes join it
 * there), private messages reach users on any node and a login of a nickname held on another node takes
 * it over there.
 *   node dist/samples/chat/server.js --admin-port 9100      # + metrics, health, admin API, dashboard
 * The same port serves the chat's web page (web/, built to dist/samples/chat/web by `npm run build`) and
 * WebSocket: open http://127.0.0.1:7300/ in a browser; the start-up log names the URL.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Container } from 'inversify';
import { GameServer, type EngineChoice } from '../../framework';
import {
  adminOption,
  CLUSTER_FLAG_HELP,
  clusterOption,
  parseFlags,
  SERVER_FLAG_HELP,
  runMain,
  stopOnSignals,
  type Flags,
} from '../common/flags';
import { LoginController, RoomController } from './chat-controllers';
import { ChatRoom } from './chat-room';
import { ChatService, chatUsers, MAX_ROOMS, MAX_ROOMS_PER_SESSION } from './chat-service';
import * as messages from './generated/packets';

export const CHAT_DEFAULTS = {
  host: '127.0.0.1',
  port: 7300,
  engine: 'auto',
  ioThreads: 0,
  logLevel: process.env.LOG_LEVEL ?? 'info',
  cluster: '',
  node: '',
  /** '' = no admin listener; a port (0 = any) serves metrics, health, the admin API and the dashboard. */
  adminPort: '',
  /** The web page's folder ('' = web/ beside this file: dist/samples/chat/web once built). */
  web: '',
};

/** The folder the page is served from, or undefined when it was not built there (the log says so). */
function webDir(option: string): string | undefined {
  const dir = option !== '' ? path.resolve(option) : path.join(__dirname, 'web');
  return existsSync(path.join(dir, 'app.js')) ? dir : undefined;
}

export type ChatServerOptions = Partial<Flags<typeof CHAT_DEFAULTS>>;

/** Creates and starts the chat server; resolves once it listens. */
export async function startChatServer(options: ChatServerOptions = {}) {
  const o = { ...CHAT_DEFAULTS, ...options };
  const staticDir = webDir(o.web);
  const container = new Container();
  container.bind(ChatService).toSelf().inSingletonScope();
  const server = new GameServer({
    host: o.host,
    port: o.port,
    engine: o.engine as EngineChoice,
    ioThreads: o.ioThreads,
    messages,
    controllers: [LoginController, RoomController],
    users: chatUsers,
    rooms: {
      types: { chat: ChatRoom },
      maxRooms: MAX_ROOMS,
      maxRoomsPerSession: MAX_ROOMS_PER_SESSION,
    },
    container,
    logger: { level: o.logLevel as 'info', name: 'chat' },
    cluster: clusterOption(o.cluster, o.node, 'chat'),
    admin: adminOption(o.adminPort),
    limits: staticDir !== undefined ? { staticDir } : {},
  });
  const { port, engine } = await server.start();
  const pageUrl = staticDir !== undefined ? `http://${o.host}:${port}/` : undefined;
  if (pageUrl !== undefined) server.logger.info({ url: pageUrl }, `chat web page: ${pageUrl}`);
  else
    server.logger.info(
      `no chat web page: ${o.web || path.join(__dirname, 'web')} has no app.js (npm run build)`,
    );
  return { server, host: o.host, port, engine, pageUrl };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), CHAT_DEFAULTS, 'chat server', {
    summary:
      'The chat sample: login, rooms, room broadcast, private messages, history, kick. Logs JSON lines.',
    flags: {
      ...SERVER_FLAG_HELP,
      ...CLUSTER_FLAG_HELP,
      web: 'folder of the built web page (default web/ beside the server: dist/samples/chat/web)',
    },
  });
  const { server } = await startChatServer(flags); // GameServer logs where it listens and its engine
  stopOnSignals(() => server.stop());
}

if (require.main === module) runMain('chat server', main);
