/** The grid sample end to end: bots join ticking rooms, walk, and hear every position each tick. */
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import { runGridBots } from '../../samples/grid/bots';
import { GridState, JoinGridReq, MoveCmd } from '../../samples/grid/generated/packets';
import { startGridServer } from '../../samples/grid/server';
import { availableTransports } from '../framework/support/transports';

describe.each(availableTransports())('samples/grid on $engine', ({ engine }) => {
  let grid: Awaited<ReturnType<typeof startGridServer>> | undefined;
  afterEach(async () => {
    await grid?.server.stop();
    grid = undefined;
  });

  it('fills rooms up to their seats and broadcasts all positions every tick', async () => {
    grid = await startGridServer({ port: 0, engine, logLevel: 'silent', tickMs: 20, seats: 4 });
    const report = await runGridBots({
      host: '127.0.0.1',
      port: grid.port,
      bots: 6,
      durationMs: 0,
      untilStates: 4,
      prefix: 'b',
    });
    expect(report.bots).toBe(6);
    expect(report.rooms).toHaveLength(2); // 4 seats, then a second room
    expect(report.lastTick).toBeGreaterThan(3);
    expect(report.states.every((n) => n > 3)).toBe(true);
  });

  it('moves a player one cell per tick in the direction it sent, stopping at the edge', async () => {
    grid = await startGridServer({ port: 0, engine, logLevel: 'silent', tickMs: 10, width: 5, height: 5 });
    const client = await GameClient.connect({ port: grid.port, heartbeat: false });
    const joined = await client.request(JoinGridReq, { name: 'walker' });
    expect(joined).toMatchObject({ width: 5, height: 5, you: { name: 'walker', x: 0, y: 0 } });
    const xs: number[] = [];
    client.on(GridState, (state) => xs.push(state.players.find((p) => p.name === 'walker')!.x));
    client.send(MoveCmd, { dx: 1, dy: 0 });
    await expect.poll(() => xs.at(-1)).toBe(4);
    const after = xs.length;
    await expect.poll(() => xs.length).toBeGreaterThan(after + 2);
    expect(xs.slice(after)).toEqual(xs.slice(after).map(() => 4)); // at the edge it stays
    const steps = xs.slice(xs.indexOf(1), xs.indexOf(4) + 1);
    expect(steps).toEqual([1, 2, 3, 4]);
    const errors: string[] = [];
    client.onError((error) => errors.push(error.code));
    client.send(MoveCmd, { dx: 5, dy: 0 });
    await expect.poll(() => errors).toEqual(['BAD_MOVE']);
    await client.close();
  });
});
