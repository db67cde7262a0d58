/**
 * Grid bot client: `--bots` players join, walk about for `--duration` seconds and print the positions they
 * are sent (one line per tick of the first bot's room), then a summary.
 *
 *   npm run grid:client                         # 3 bots against 127.0.0.1:7400 for 5 s
 *   npm run grid:client -- --bots 10 --duration 3 --quiet
 */
import { parseFlags, runMain } from '../common/flags';
import { runGridBots } from './bots';

const CLIENT_DEFAULTS = { host: '127.0.0.1', port: 7400, bots: 3, duration: 5, prefix: 'bot', quiet: false };

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), CLIENT_DEFAULTS);
  const report = await runGridBots({
    host: flags.host,
    port: flags.port,
    bots: flags.bots,
    durationMs: flags.duration * 1000,
    prefix: flags.prefix,
    onState: flags.quiet
      ? undefined
      : (state) =>
          console.log(`tick ${state.tick}: ${state.players.map((p) => `${p.name}@${p.x},${p.y}`).join(' ')}`),
  });
  console.log(JSON.stringify(report));
}

if (require.main === module) runMain('grid client', main);
