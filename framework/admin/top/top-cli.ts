import { parseArgs } from 'node:util';
import { runTop, TopError } from './top';

export const TOP_USAGE = `usage: fastport top [--url URL] [--token TOKEN] [--interval MS] [--once]

Shows a running server's figures (sessions, rooms, msgs/s, bytes/s, handler p50 / p99, closes by reason)
from its admin listener (GameServer option admin, or --admin-port on the samples), every second.
  --url URL        the admin listener (default http://127.0.0.1:9100)
  --token TOKEN    its bearer token (default: the FASTPORT_ADMIN_TOKEN environment variable)
  --interval MS    refresh period (default 1000)
  --once           print one screen and exit
  -h, --help       show this help
`;

/**
 * `fastport top ...args` (bin/fastport.js runs it from the runtime package: operators have the server
 * installed, not the development tools). Resolves to the exit code: 0, 1 (cannot read the server), 2 (usage).
 */
export async function topMain(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:9100' },
        token: { type: 'string' },
        interval: { type: 'string', default: '1000' },
        once: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`fastport top: ${(error as Error).message.split('\n')[0]}\n\n${TOP_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(TOP_USAGE);
    return 0;
  }
  const intervalMs = Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    process.stderr.write(`fastport top: --interval needs a whole number of ms >= 100\n\n${TOP_USAGE}`);
    return 2;
  }
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
    process.stderr.write(`fastport top: ${error.message}\n`);
    return 1;
  }
}
