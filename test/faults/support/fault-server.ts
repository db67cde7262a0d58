/**
 * One fault case's world: a GameServer (the framework test controller) on 127.0.0.1 over the chosen engine
 * with shortened timers, its CloseLog, a canary client, and the baseline (fds, transport counters) taken
 * once the canary is in.
 */
import { GameClient } from '../../../framework/client/game-client';
import { GameServer } from '../../../framework/server/game-server';
import type { SessionLimits } from '../../../framework/server/options';
import { createTransport } from '../../../framework/transport/create-transport';
import type { TransportOptions } from '../../../framework/transport/options';
import type { EngineName } from '../../../framework/transport/transport';
import { Gates, TestController } from '../../framework/support/harness';
import { allMessages } from '../../framework/support/messages';
import { openFdCount } from '../../transport/helpers/raw-client';
import { Canary } from './canary';
import { CloseLog, type SessionLife } from './close-log';

const KiB = 1024;
/** A canary request unanswered this long fails the case: starved, far above a loaded 2-core machine's stalls. */
export const CANARY_DEADLINE_MS = 8000;

/** Every timer shortened so a case takes well under a second or two (docs/architecture.md "Limits", scaled down). */
export const faultTransportLimits: TransportOptions = {
  maxFrameBytes: 64 * KiB,
  sendSoftLimit: 64 * KiB,
  sendHardLimit: 256 * KiB,
  frameTimeoutMs: 300,
  sendStallMs: 600,
};
export const faultSessionLimits: Partial<SessionLimits> = {
  handshakeTimeoutMs: 700,
  idleTimeoutMs: 800,
  heartbeatIntervalMs: 200,
  mailboxCapacity: 64,
  mailboxOverflowMs: 400,
};

export interface Baseline {
  fds: number;
  sessions: number;
  recvBuffersHeld: number;
}

export interface FaultWorld {
  engine: EngineName;
  server: GameServer;
  port: number;
  log: CloseLog;
  gates: Gates;
  canaryClient: GameClient;
  canary: Canary;
  baseline: Baseline;
  /** Sessions opened after the canary (the attackers'). */
  attackers(): SessionLife[];
  counter(name: string): number;
  stop(): Promise<void>;
}

export interface WorldOptions {
  transport?: TransportOptions;
  session?: Partial<SessionLimits>;
}

export async function startWorld(
  engine: EngineName,
  options: WorldOptions = {},
  ioThreads = 0,
): Promise<FaultWorld> {
  const transport = createTransport({
    engine,
    ioThreads,
    warn: () => undefined,
    ...faultTransportLimits,
    ...options.transport,
  });
  const log = CloseLog.attach(transport);
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    transport,
    messages: allMessages,
    controllers: [TestController],
    limits: { ...faultSessionLimits, ...options.session },
    logger: { level: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'silent' },
  });
  server.container.bind(Gates).toSelf().inSingletonScope();
  const { port } = await server.start();
  const canaryClient = await GameClient.connect({ port, requestTimeoutMs: CANARY_DEADLINE_MS });
  await log.until(() => log.lives.length === 1, 'the canary session');
  const counter = (name: string): number => Number(transport.stats()[name] ?? 0);
  const baseline: Baseline = {
    fds: openFdCount(),
    sessions: counter('sessions'),
    recvBuffersHeld: counter('recvBuffersHeld'),
  };
  const canary = new Canary(canaryClient);
  return {
    engine,
    server,
    port,
    log,
    gates: server.container.get(Gates),
    canaryClient,
    canary,
    baseline,
    attackers: () => log.livesAfter(1),
    counter,
    async stop() {
      await canary.stop();
      await canaryClient.close().catch(() => undefined);
      await server.stop();
    },
  };
}
