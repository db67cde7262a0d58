import { createTransport } from '../../framework';
import { ChatClient } from './chat-client';

export interface BotLoadOptions {
  host: string;
  port: number;
  /** Members of the room. */
  bots: number;
  room: string;
  /** How many of the members talk, and their messages per second in total. */
  senders: number;
  rate: number;
  durationS: number;
}

export interface BotLoadReport {
  members: number;
  sent: number;
  /** ChatMessages received by all members together while sending, and for 1 s after. */
  delivered: number;
  /** delivered / (sent * members), in percent. */
  deliveredPercent: number;
  deliveriesPerSecond: number;
}

/**
 * The chat broadcast load: `bots` clients on one shared transport log in as bot-N, join one room, then
 * `senders` of them say messages at `rate` per second in total for `durationS`.
 */
export async function runBotLoad(options: BotLoadOptions): Promise<BotLoadReport> {
  const { host, port, bots, room, durationS } = options;
  if (bots < 1 || options.senders < 1 || options.senders > bots || options.rate < 1)
    throw new Error('--bots and --rate must be >= 1 and --senders from 1 to --bots');
  const transport = createTransport({ engine: 'auto' });
  const clients: ChatClient[] = [];
  let delivered = 0;
  let sent = 0;
  try {
    const batch = 50; // connect in batches: a burst of hundreds of SYNs overflows small listen backlogs
    for (let i = 0; i < bots; i += batch) {
      const group = Array.from({ length: Math.min(batch, bots - i) }, async (_, k) => {
        const client = await ChatClient.connect({ host, port, transport });
        client.onEvent((e) => (delivered += e.kind === 'message' ? 1 : 0));
        await client.login(`bot-${i + k}`, '', room);
        return client;
      });
      clients.push(...(await Promise.all(group)));
    }
    delivered = 0;
    const started = Date.now();
    const intervalMs = (1000 * options.senders) / options.rate;
    const talkers = clients.slice(0, options.senders).map(async (client, k) => {
      let next = started + (intervalMs * k) / options.senders;
      while (next < started + durationS * 1000) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        sent++;
        await client.say(`message ${sent} from ${client.name}`);
        next += intervalMs;
      }
    });
    await Promise.all(talkers);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const elapsedS = (Date.now() - started) / 1000;
    return {
      members: clients.length,
      sent,
      delivered,
      deliveredPercent: sent === 0 ? 0 : (100 * delivered) / (sent * clients.length),
      deliveriesPerSecond: delivered / elapsedS,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await transport.shutdown();
  }
}
