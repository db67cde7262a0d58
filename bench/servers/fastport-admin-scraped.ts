/**
 * The framework echo sample with its admin listener on and scraped once a second, as a Prometheus server
 * would: GET /metrics and GET /api/status every second. The scraper runs in this process (fetch), so the
 * row is an upper bound of the listener's cost (a real Prometheus pays the client side elsewhere).
 *
 *   node dist/bench/servers/fastport-admin-scraped.js --port P [--engine epoll] [--scrape-ms 1000]
 */
import { parseFlags, runMain, stopOnSignals } from '../../samples/common/flags';
import { startEchoServer } from '../../samples/echo/server';

const DEFAULTS = { host: '127.0.0.1', port: 7200, engine: 'epoll', scrapeMs: 1000 };

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), DEFAULTS);
  const { server, host, port, engine } = await startEchoServer({
    host: flags.host,
    port: flags.port,
    engine: flags.engine,
    adminPort: '0',
    logLevel: 'warn',
  });
  const admin = server.admin?.url as string;
  let scrapes = 0;
  const scraper = setInterval(() => {
    void Promise.all([fetch(`${admin}/metrics`), fetch(`${admin}/api/status`)])
      .then((responses) => Promise.all(responses.map((r) => r.text())))
      .then(() => scrapes++)
      .catch((error: unknown) => console.error(`scrape failed: ${String(error)}`));
  }, flags.scrapeMs);
  console.log(`READY port=${port} engine=${engine} admin=${admin} (scraped every ${flags.scrapeMs} ms)`);
  console.log(`echo server listening on ${host}:${port}`);
  stopOnSignals(async () => {
    clearInterval(scraper);
    console.log(`scrapes: ${scrapes}`);
    await server.stop();
  });
}

runMain('fastport-admin-scraped', main);
