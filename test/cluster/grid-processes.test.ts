/**
 * The grid sample as two node processes (`--cluster --node`) on one nats-server: a bot on each node lands
 * in the same grid room (hosted on the first node) and each sees the other's moves in the ticks.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import { GridState, JoinGridReq, MoveCmd } from '../../samples/grid/generated/packets';
import { NatsServer, natsSkipReason } from './support/nats-server';
import { SampleProcess } from './support/sample-process';

const skip = natsSkipReason();

describe.skipIf(skip !== undefined)('grid sample: two node processes share a ticking room', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer;
  const nodes: SampleProcess[] = [];
  const clients: GameClient[] = [];

  /** A bot on `node`: joins a grid room and keeps the positions of the last tick it saw. */
  const bot = async (node: number, name: string) => {
    const client = await GameClient.connect({ host: '127.0.0.1', port: nodes[node].port });
    clients.push(client);
    const seen = new Map<string, { x: number; y: number }>();
    client.on(GridState, (state) => {
      for (const player of state.players) seen.set(player.name, { x: player.x, y: player.y });
    });
    const joined = await client.request(JoinGridReq, { name });
    return { client, seen, joined };
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    for (const node of ['grid-a', 'grid-b'])
      nodes.push(
        await SampleProcess.start('grid', [
          '--port',
          '0',
          '--tick-ms',
          '50',
          '--cluster',
          nats.url,
          '--node',
          node,
        ]),
      );
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all(nodes.map((node) => node.stop()));
    await nats.stop();
  });

  it("puts a bot of each node in one room, where each sees the other's moves", async () => {
    const a = await bot(0, 'bot-a');
    const b = await bot(1, 'bot-b');
    expect(b.joined.room).toBe(a.joined.room);
    expect(a.joined.room).toMatch(/grid-a/); // made by the first node, which runs its ticks
    await vi.waitFor(() => expect(a.seen.has('bot-b') && b.seen.has('bot-a')).toBe(true));

    const bStart = b.joined.you!;
    b.client.send(MoveCmd, { dx: 1, dy: 0 }); // bot-b (node B) walks right: node A's bot sees it
    await vi.waitFor(() => expect(a.seen.get('bot-b')!.x).toBeGreaterThan(bStart.x), { timeout: 5000 });
    b.client.send(MoveCmd, { dx: 0, dy: 0 });

    const aStart = a.joined.you!;
    a.client.send(MoveCmd, { dx: 0, dy: 1 }); // bot-a (node A) walks down: node B's bot sees it
    await vi.waitFor(() => expect(b.seen.get('bot-a')!.y).toBeGreaterThan(aStart.y), { timeout: 5000 });
  });
});
