/**
 * Grid game server: players join a room of up to 8 (one is created when all are full), walk with MoveCmd,
 * and get every position each tick (GridState). A name logged in again takes over (the older one is kicked).
 *
 *   npm run grid:server                               # 127.0.0.1:7400, engine auto, 10 ticks per second
 *   node dist/samples/grid/server.js --port 7400 --tick-ms 50 --seats 4 --engine epoll --log-level warn
 *   node dist/samples/grid/server.js --admin-port 9100      # + metrics, health, admin API, dashboard
 *   node dist/samples/grid/server.js --cluster nats://127.0.0.1:4222 --node grid-1 --port 7401
 * In a cluster, players on every node fill the same rooms (a room ticks on the node that made it; its
 * positions reach each other node once per tick).
 */
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
import { GridController, GridSettings } from './grid-controller';
import { GRID_DEFAULTS, GridRoom, type GridPlayer } from './grid-room';
import * as messages from './generated/packets';

export const GRID_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 7400,
  engine: 'auto',
  ioThreads: 0,
  logLevel: process.env.LOG_LEVEL ?? 'info',
  /** '' = no admin listener; a port (0 = any) serves metrics, health, the admin API and the dashboard. */
  adminPort: '',
  /** '' = one process; a NATS URL joins a cluster of grid nodes. */
  cluster: '',
  node: '',
  ...GRID_DEFAULTS,
};

export type GridServerOptions = Partial<Flags<typeof GRID_SERVER_DEFAULTS>>;

/** Creates and starts the grid server; resolves once it listens. */
export async function startGridServer(options: GridServerOptions = {}) {
  const o = { ...GRID_SERVER_DEFAULTS, ...options };
  const container = new Container();
  const room = { width: o.width, height: o.height, tickMs: o.tickMs, seats: o.seats };
  container.bind(GridSettings).toConstantValue(new GridSettings(room));
  const server = new GameServer({
    host: o.host,
    port: o.port,
    engine: o.engine as EngineChoice,
    ioThreads: o.ioThreads,
    messages,
    controllers: [GridController],
    container,
    rooms: { types: { grid: GridRoom } },
    users: { idOf: (player: GridPlayer) => player.name },
    logger: { level: o.logLevel as 'info', name: 'grid' },
    admin: adminOption(o.adminPort),
    cluster: clusterOption(o.cluster, o.node, 'grid'),
  });
  const { port, engine } = await server.start();
  return { server, host: o.host, port, engine };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), GRID_SERVER_DEFAULTS, 'grid server', {
    summary:
      'The grid game sample: rooms of --seats players walking on a --width x --height grid, every ' +
      'position broadcast each --tick-ms. Logs JSON lines.',
    flags: {
      ...SERVER_FLAG_HELP,
      ...CLUSTER_FLAG_HELP,
      width: 'grid width in cells',
      height: 'grid height in cells',
      tickMs: 'ms between ticks',
      seats: 'players per room',
    },
  });
  const { server } = await startGridServer(flags); // GameServer logs where it listens and its engine
  stopOnSignals(() => server.stop());
}

if (require.main === module) runMain('grid server', main);
