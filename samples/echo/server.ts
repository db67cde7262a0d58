/**
 * Echo server on the full framework path: frame -> session mailbox -> EchoReq decode -> @Handler ->
 * EchoRes encode -> batched send. A throughput demo, so the per-session message-rate limit is OFF here
 * (every other limit keeps its default).
 *
 *   npm run echo:server                                  # 127.0.0.1:7200, engine auto
 *   node dist/samples/echo/server.js --port 7200 --engine epoll --io-threads 0 --log-level warn
 *   node dist/samples/echo/server.js --admin-port 9100      # + metrics, health, admin API, dashboard
 *   node dist/samples/echo/server.js --resume-window-ms 0   # session resume off
 */
import { GameServer, defaultSessionLimits, type EngineChoice } from '../../framework';
import {
  adminOption,
  parseFlags,
  SERVER_FLAG_HELP,
  runMain,
  stopOnSignals,
  type Flags,
} from '../common/flags';
import { EchoController } from './echo-controller';
import * as messages from './generated/packets';

export const ECHO_DEFAULTS = {
  host: '127.0.0.1',
  port: 7200,
  engine: 'auto',
  ioThreads: 0,
  logLevel: process.env.LOG_LEVEL ?? 'info',
  /** '' = no admin listener; a port (0 = any) serves metrics, health, the admin API and the dashboard. */
  adminPort: '',
  /** Session resume window (docs/resume.md); 0 = resume off (the bench's fastport-epoll-noresume row). */
  resumeWindowMs: defaultSessionLimits.resumeWindowMs,
};

export type EchoServerOptions = Partial<Flags<typeof ECHO_DEFAULTS>>;

/** Creates and starts the echo server; resolves once it listens. */
export async function startEchoServer(options: EchoServerOptions = {}) {
  const o = { ...ECHO_DEFAULTS, ...options };
  const server = new GameServer({
    host: o.host,
    port: o.port,
    engine: o.engine as EngineChoice,
    ioThreads: o.ioThreads,
    messages,
    controllers: [EchoController],
    // throughput demo: no per-session message-rate limit
    limits: { rateLimit: false, resumeWindowMs: o.resumeWindowMs },
    logger: { level: o.logLevel as 'info', name: 'echo' },
    admin: adminOption(o.adminPort),
  });
  const { port, engine } = await server.start();
  return { server, host: o.host, port, engine };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ECHO_DEFAULTS, 'echo server', {
    summary: 'The echo sample on the full framework path (message-rate limit off: a throughput demo).',
    flags: {
      ...SERVER_FLAG_HELP,
      resumeWindowMs: 'how long a dropped resumable session is kept, ms (0 = resume off)',
    },
  });
  const { server } = await startEchoServer(flags); // GameServer logs where it listens and its engine
  stopOnSignals(() => server.stop());
}

if (require.main === module) runMain('echo server', main);
