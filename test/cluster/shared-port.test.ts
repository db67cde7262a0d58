/**
 * Vertical scale: two node processes of one cluster listening on the same port (native engine,
 * `reusePort: true`: SO_REUSEPORT listeners), the kernel spreading connections over both; users on the two share a
 * room. Skips where nats-server or the native epoll engine is missing.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { runnableEngines } from '../support/engines';
import { ChildNode } from './support/child-nodes';
import { HelloNodeReq, JoinRoomReq, Shout, Shouted } from './support/messages';
import { NatsServer, natsSkipReason } from './support/nats-server';

const skip =
  natsSkipReason() ??
  (runnableEngines('FASTPORT_TEST_ENGINES').includes('epoll') ? undefined : 'no epoll engine');

describe.skipIf(skip !== undefined)('two node processes on one port', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer | undefined;
  const nodes: ChildNode[] = [];
  const clients: GameClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all(nodes.map((node) => node.stop()));
    await nats?.stop();
  });

  it('spreads connections over both processes, which share rooms', async () => {
    nats = await NatsServer.start();
    const env = { NODE_ENGINE: 'epoll', NODE_IO_THREADS: '1', NODE_REUSE_PORT: '1' };
    nodes.push(await ChildNode.start(nats.url, 'p1', 3000, [], env));
    nodes.push(await ChildNode.start(nats.url, 'p2', 3000, [], { ...env, NODE_PORT: String(nodes[0].port) }));
    expect(nodes[1].port).toBe(nodes[0].port);
    const seen = new Map<string, GameClient[]>();
    for (let i = 0; i < 24; i++) {
      const client = await nodes[0].connect(); // one port for all
      clients.push(client);
      const { node } = await client.request(HelloNodeReq, { name: `u${i}` });
      seen.set(node, [...(seen.get(node) ?? []), client]);
    }
    expect([...seen.keys()].sort()).toEqual(['p1', 'p2']); // 24 connections all on one: odds 2^-23
    const [one, two] = [seen.get('p1')![0], seen.get('p2')![0]];
    const heard: Shouted[] = [];
    two.on(Shouted, (shout) => heard.push(shout));
    await one.request(JoinRoomReq, { room: 'hall' });
    await two.request(JoinRoomReq, { room: 'hall' });
    one.send(Shout, { room: 'hall', text: 'across processes' });
    await vi.waitFor(() => expect(heard.map((s) => s.text)).toEqual(['across processes']));
  });
});
