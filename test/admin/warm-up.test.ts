/**
 * The admin listener renders its exposition and status once while starting, so the first scrape, which
 * may come under load, does not pay for compiling prom-client's collectors and formatting.
 */
import { Gauge } from 'prom-client';
import { expect, it } from 'vitest';
import { GameServer } from '../../framework/server/game-server';
import { EchoController } from '../../samples/echo/echo-controller';
import * as messages from '../../samples/echo/generated/packets';

it('collects every metric once during start, before any request reached the listener', async () => {
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    messages,
    controllers: [EchoController],
    admin: { port: 0 },
    logger: { level: 'warn' },
  });
  let collected = 0;
  new Gauge({
    name: 'game_probe',
    help: 'counts its collections',
    registers: [server.admin!.registry], // registered before start, as a game's own metrics are
    collect: () => void collected++,
  });
  expect(collected).toBe(0);
  await server.start();
  try {
    expect(collected).toBe(1);
    const text = await (await fetch(`${server.admin!.url}/metrics`)).text();
    expect(text).toMatch(/^game_probe 0$/m);
    expect(collected).toBe(2);
  } finally {
    await server.stop();
  }
});
