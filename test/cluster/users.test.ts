/**
 * The server's user index in a cluster (`users` option + `cluster`): a login on one node kicks the same
 * user's session on another node, pushes from any node reach the newer session, and the directory entry
 * goes when the session closes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { startTestNode, type TestNode } from './support/in-process';
import { HelloNodeReq, Pushed, PushReq } from './support/messages';
import { NatsServer, natsSkipReason } from './support/nats-server';

const skip = natsSkipReason();

describe.skipIf(skip !== undefined)('users across nodes', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer;
  let nodes: TestNode[];
  const clients: GameClient[] = [];
  const connect = async (node: TestNode) => {
    const client = await node.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    const users = { idOf: (user: never) => (user as { name: string }).name };
    nodes = [
      await startTestNode({ servers: nats.url, node: 'u1', leaseTtlMs: 2000 }, { users }),
      await startTestNode({ servers: nats.url, node: 'u2', leaseTtlMs: 2000 }, { users }),
    ];
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all(nodes.map((node) => node.server.stop()));
    await nats.stop();
  });

  it('kicks the older session on another node when the user logs in again', async () => {
    const first = await connect(nodes[0]);
    await first.request(HelloNodeReq, { name: 'zed' });
    expect(nodes[0].server.users.find('zed')).toBeDefined();
    const second = await connect(nodes[1]);
    await second.request(HelloNodeReq, { name: 'zed' });
    await vi.waitFor(() => expect(first.kickReason).toBe('logged in from another connection'));
    expect(nodes[1].server.users.find('zed')).toBeDefined();
    await vi.waitFor(() => expect(nodes[0].server.users.find('zed')).toBeUndefined());

    const pushes: Pushed[] = [];
    second.on(Pushed, (push) => pushes.push(push));
    const other = await connect(nodes[0]);
    await other.request(HelloNodeReq, { name: 'yan' });
    expect(await other.request(PushReq, { user: 'zed', text: 'found you' })).toEqual({ delivered: true });
    await vi.waitFor(() => expect(pushes).toEqual([{ text: 'found you', node: 'u1' }]));

    await second.close();
    await vi.waitFor(async () => expect(await nodes[0].server.cluster.users.locate('zed')).toBeUndefined());
  });
});
