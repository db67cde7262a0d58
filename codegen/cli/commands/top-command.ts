import { parseArgs } from 'node:util';
import { runTop, TopError } from '../../../framework/admin/top/top';
import { UsageError, type Command } from '../command';

const USAGE = `usage: fastport top [--url URL] [--token TOKEN] [--interval MS] [--once]

Shows a running server's figures (sessions, rooms, msgs/s, bytes/s, handler p50 / p99, closes by reason)
from its admin listener (GameServer option admin, or --admin-port on the samples), every second.
  --url URL        the admin listener (default http://127.0.0.1:9100)
  --token TOKEN    its bearer token (default: the FASTPORT_ADMIN_TOKEN environment variable)
  --interval MS    refresh period (default 1000)
  --once           print one screen and exit`;

export const topCommand: Command = {
  summary: 'live figures of a running server, from its admin listener',
  usage: USAGE,
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          url: { type: 'string', default: 'http://127.0.0.1:9100' },
          token: { type: 'string' },
          interval: { type: 'string', default: '1000' },
          once: { type: 'boolean', default: false },
        },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const intervalMs = Number(values.interval);
    if (!Number.isInteger(intervalMs) || intervalMs < 100)
      throw new UsageError(`--interval needs a whole number of ms >= 100, got ${values.interval}`);
    try {
      await runTop({
        url: values.url,
        token: values.token ?? process.env.FASTPORT_ADMIN_TOKEN,
        intervalMs,
        screens: values.once ? 1 : undefined,
      });
      return 0;
    } catch (error) {
      if (!(error instanceof TopError)) throw error;
      console.error(`fastport top: ${error.message}`);
      return 1;
    }
  },
};
