import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ResolvedClusterOptions } from './options';

/**
 * Connects to NATS and keeps reconnecting for ever (a NATS restart is survived: subscriptions are restored,
 * requests made meanwhile time out and are retried by their senders). Status changes are logged.
 */
export async function connectNats(options: ResolvedClusterOptions, logger: Logger): Promise<NatsConnection> {
  // Loaded here, not at import: a server without `cluster` never loads the NATS client (~45 ms at start-up).
  const { connect } = require('@nats-io/transport-node') as typeof import('@nats-io/transport-node');
  const nc = await connect({
    servers: options.servers,
    name: `${options.name}-${options.node}`,
    noEcho: true, // a node handles its own room broadcasts and resets locally
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 5000,
  });
  void logStatus(nc, logger);
  return nc;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') logger.warn({ server: status.server }, 'cluster: NATS disconnected');
    else if (status.type === 'reconnect') logger.info({ server: status.server }, 'cluster: NATS reconnected');
    else if (status.type === 'error') logger.warn({ err: status.error }, 'cluster: NATS error');
  }
}
