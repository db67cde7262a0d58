/**
 * The framework echo sample with its admin listener on and scraped once a second, as a Prometheus server
 * would: GET /metrics and GET /api/status every second over one kept-alive connection. The scraper runs in
 * this process, so the row is an upper bound of the listener's cost (a real Prometheus pays the client side
 * elsewhere).
 *
 * The scraper uses node:http, not fetch(): fetch reads bodies through WHATWG streams, which detach an
 * ArrayBuffer and so invalidate V8's ArrayBufferDetaching protector for the whole process; from then on
 * every optimized typed-array access pays a detach check, which slowed the echo path by a third
 * (docs/operations.md, "Cost"). A real scraper in another process leaves the server's protector alone.
 * The node:http response bodies are Buffers made in C++, whose first one would deoptimize the echo path
 * once (the Uint8Array map transition); the admin listener has made that transition at its start.
 *
 *   node dist/bench/servers/fastport-admin-scraped.js --port P [--engine epoll] [--scrape-ms 1000]
 *
 * `--scrape-ms 0` leaves the listener on but never scraped (the bench row fastport-epoll-admin-idle): the
 * listener's own timers and observers without the scrapes.
 */
import * as http from 'node:http';
import { parseFlags, runMain, stopOnSignals } from '../../samples/common/flags';
import { startEchoServer } from '../../samples/echo/server';

const DEFAULTS = { host: '127.0.0.1', port: 7200, engine: 'epoll', scrapeMs: 1000 };

/** GET `url` and read the whole body; rejects on a status other than 200. */
function get(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () =>
        response.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${response.statusCode}`)),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

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
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let scrapes = 0;
  const scrape = (): void => {
    void Promise.all([get(`${admin}/metrics`, agent), get(`${admin}/api/status`, agent)])
      .then(([metricsBytes, statusBytes]) => {
        if (scrapes++ === 0)
          console.log(`first scrape: /metrics ${metricsBytes} B, /api/status ${statusBytes} B`);
      })
      .catch((error: unknown) => console.error(`scrape failed: ${String(error)}`));
  };
  const scraper = flags.scrapeMs > 0 ? setInterval(scrape, flags.scrapeMs) : undefined;
  const every = flags.scrapeMs > 0 ? `scraped every ${flags.scrapeMs} ms` : 'not scraped';
  console.log(`READY port=${port} engine=${engine} admin=${admin} (${every})`);
  console.log(`echo server listening on ${host}:${port}`);
  stopOnSignals(async () => {
    clearInterval(scraper);
    agent.destroy();
    console.log(`scrapes: ${scrapes}`);
    await server.stop();
  });
}

runMain('fastport-admin-scraped', main);
