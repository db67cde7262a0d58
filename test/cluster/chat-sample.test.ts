/**
 * The chat sample with `--cluster`: two chat nodes on one nats-server; a private message crosses nodes,
 * a login of the same nickname on the other node takes the session over, an unknown nickname is refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ChatEvent } from '../../samples/chat/chat-client';
import { startChatServer } from '../../samples/chat/server';
import { NatsServer, natsSkipReason } from './support/nats-server';

const skip = natsSkipReason();

describe.skipIf(skip !== undefined)('chat sample in a cluster of two nodes', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer;
  const servers: Awaited<ReturnType<typeof startChatServer>>[] = [];
  const clients: ChatClient[] = [];
  const connect = async (index: number) => {
    const client = await ChatClient.connect({ host: '127.0.0.1', port: servers[index].port });
    const events: ChatEvent[] = [];
    client.onEvent((event) => events.push(event));
    clients.push(client);
    return { client, events };
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    for (const node of ['chat-1', 'chat-2'])
      servers.push(
        await startChatServer({ port: 0, engine: 'node', logLevel: 'silent', cluster: nats.url, node }),
      );
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.game.close().catch(() => undefined)));
    await Promise.all(servers.map(({ server }) => server.stop()));
    await nats.stop();
  });

  it('sends private messages across nodes and takes a nickname over from the other node', async () => {
    const alice = await connect(0);
    await alice.client.login('alice', 'acc-alice');
    const bob = await connect(1);
    await bob.client.login('bob');
    await bob.client.whisper('alice', 'hello from node 2');
    await vi.waitFor(() =>
      expect(alice.events).toContainEqual({ kind: 'private', from: 'bob', text: 'hello from node 2' }),
    );
    await expect(bob.client.whisper('nobody', 'x')).rejects.toMatchObject({ code: 'NO_SUCH_USER' });

    const aliceAgain = await connect(1);
    await aliceAgain.client.login('alice', 'acc-alice');
    await vi.waitFor(() =>
      expect(alice.events).toContainEqual(
        expect.objectContaining({ kind: 'closed', kick: 'logged in from another connection' }),
      ),
    );
    await bob.client.whisper('alice', 'found you again');
    await vi.waitFor(() =>
      expect(aliceAgain.events).toContainEqual({ kind: 'private', from: 'bob', text: 'found you again' }),
    );
  });
});
