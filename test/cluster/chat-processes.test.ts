/**
 * The chat sample as two node processes (`--cluster --node`) on one nats-server, TCP clients on each: a
 * room joined from both nodes is one room (members, messages, history, leave notices cross), and
 * private messages cross nodes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ChatEvent } from '../../samples/chat/chat-client';
import { NatsServer, natsSkipReason } from './support/nats-server';
import { SampleProcess } from './support/sample-process';

const skip = natsSkipReason();

describe.skipIf(skip !== undefined)('chat sample: two node processes share rooms', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer;
  const nodes: SampleProcess[] = [];
  const clients: ChatClient[] = [];
  const connect = async (node: number) => {
    const client = await ChatClient.connect({ host: '127.0.0.1', port: nodes[node].port });
    const events: ChatEvent[] = [];
    client.onEvent((event) => events.push(event));
    clients.push(client);
    return { client, events };
  };
  const said = (events: ChatEvent[]) =>
    events.flatMap((event) =>
      event.kind === 'message' ? [`${event.message.from}: ${event.message.text}`] : [],
    );

  beforeAll(async () => {
    nats = await NatsServer.start();
    for (const node of ['chat-a', 'chat-b'])
      nodes.push(await SampleProcess.start('chat', ['--port', '0', '--cluster', nats.url, '--node', node]));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.game.close().catch(() => undefined)));
    await Promise.all(nodes.map((node) => node.stop()));
    await nats.stop();
  });

  it('a room joined from node A and node B is one room', async () => {
    const ann = await connect(0);
    const ben = await connect(1);
    const cyd = await connect(1);
    await ann.client.login('ann', '', 'plaza');
    await ann.client.say('first');
    const joined = await ben.client.login('ben', '', 'plaza');
    expect(joined.joined).toMatchObject({ room: 'plaza', members: ['ann', 'ben'] });
    expect(joined.joined?.history.map((message) => message.text)).toEqual(['first']);
    await vi.waitFor(() => expect(ann.events).toContainEqual({ kind: 'joined', room: 'plaza', name: 'ben' }));
    await cyd.client.login('cyd', '', 'plaza');

    expect(await ben.client.say('hello from B')).toBe(3);
    await ann.client.say('hello from A');
    const expected = ['ann: first', 'ben: hello from B', 'ann: hello from A'];
    for (const member of [ann, ben, cyd])
      await vi.waitFor(() => expect(said(member.events)).toEqual(expected.slice(member === ann ? 0 : 1)));

    const listed = await ben.client.rooms();
    expect(listed).toContainEqual({ name: 'plaza', members: 3 });

    await ben.client.leave();
    await cyd.client.game.close();
    await vi.waitFor(() =>
      expect(ann.events.filter((event) => event.kind === 'left')).toEqual([
        { kind: 'left', room: 'plaza', name: 'ben' },
        { kind: 'left', room: 'plaza', name: 'cyd' },
      ]),
    );
    expect(await ann.client.say('alone now')).toBe(1);
  });

  it('sends private messages from a node to a user on the other', async () => {
    const dee = await connect(0);
    const eve = await connect(1);
    await dee.client.login('dee');
    await eve.client.login('eve');
    await eve.client.whisper('dee', 'psst from B');
    await dee.client.whisper('eve', 'psst from A');
    await vi.waitFor(() =>
      expect(dee.events).toContainEqual({ kind: 'private', from: 'eve', text: 'psst from B' }),
    );
    await vi.waitFor(() =>
      expect(eve.events).toContainEqual({ kind: 'private', from: 'dee', text: 'psst from A' }),
    );
  });
});
