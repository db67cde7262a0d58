/**
 * The cluster contract, run over every implementation: LocalCluster (one process) and NatsCluster (two nodes
 * on a real nats-server with JetStream). Actors by type + id from any node, order per sender, errors, the
 * onActivate hook, users pushed to on any node, a room broadcast reaching every member once, and matchmaker
 * rooms joined from any node (a member on another node is a guest of the hosting node).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { ActorError } from '../../framework/actors/actor-ref';
import { ClusterError } from '../../framework/cluster/errors';
import type { CounterMsg } from './support/app';
import { startTestNode, type TestNode } from './support/in-process';
import {
  CounterReq,
  type CounterRes,
  EnterHubReq,
  HelloNodeReq,
  HubEvent,
  HubSaid,
  HubSayReq,
  LeaveHubReq,
  JoinRoomReq,
  Pushed,
  PushReq,
  Shout,
  Shouted,
} from './support/messages';
import { NatsServer, natsSkipReason } from './support/nats-server';

interface Implementation {
  name: string;
  skip?: string;
  start(): Promise<{ nodes: TestNode[]; stop(): Promise<void> }>;
}

const natsSkip = natsSkipReason();
const implementations: Implementation[] = [
  {
    name: 'LocalCluster',
    async start() {
      const node = await startTestNode();
      return { nodes: [node], stop: () => node.server.stop() };
    },
  },
  {
    name: 'NatsCluster (2 nodes)',
    ...(natsSkip !== undefined ? { skip: natsSkip } : {}),
    async start() {
      const nats = await NatsServer.start();
      const options = (node: string) => ({ servers: nats.url, node, leaseTtlMs: 2000 });
      const nodes = [await startTestNode(options('n1')), await startTestNode(options('n2'))];
      return {
        nodes,
        async stop() {
          await Promise.all(nodes.map((node) => node.server.stop()));
          await nats.stop();
        },
      };
    },
  },
];

for (const implementation of implementations) {
  describe.skipIf(implementation.skip !== undefined)(`cluster contract: ${implementation.name}`, () => {
    if (implementation.skip !== undefined) it.skip(implementation.skip, () => undefined);
    let nodes: TestNode[];
    let stop: () => Promise<void>;
    const clients: GameClient[] = [];
    const first = () => nodes[0];
    const last = () => nodes[nodes.length - 1];
    const counter = (node: TestNode, id: string) =>
      node.server.cluster.ref<CounterMsg, CounterRes>('counter', id);
    const connect = async (node: TestNode) => {
      const client = await node.connect();
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      ({ nodes, stop } = await implementation.start());
    });
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await stop();
    });

    it('addresses one activation of an actor from every node', async () => {
      await counter(first(), 'shared').ask({ add: 1 });
      const seen = await Promise.all(nodes.map((node, i) => counter(node, 'shared').ask({ add: 10 + i })));
      const homes = new Set(seen.map((reply) => reply.node));
      expect(homes).toEqual(new Set([first().server.cluster.node]));
      const final = await counter(last(), 'shared').ask({ get: true });
      expect(final.log.slice(1).sort()).toEqual([1, ...nodes.map((_, i) => 10 + i)].sort());
    });

    it("keeps the order of one sender's tells, and the ask after them sees them all", async () => {
      await counter(first(), 'ordered').ask({ get: true }); // activated on the first node
      const ref = counter(last(), 'ordered');
      for (let n = 0; n < 500; n++) ref.tell({ add: n });
      const reply = await ref.ask({ get: true });
      expect(reply.log).toEqual([-1, ...Array.from({ length: 500 }, (_, n) => n)]);
    });

    it('runs onActivate before the first message of an activation', async () => {
      const reply = await counter(last(), 'fresh').ask({ add: 7 });
      expect(reply).toMatchObject({ log: [-1, 7], reason: 'new' });
    });

    it("rejects an ask with the actor's GameError code, and keeps the actor", async () => {
      await expect(counter(last(), 'failing').ask({ fail: 'game' })).rejects.toMatchObject({ code: 'NOPE' });
      await expect(counter(last(), 'failing').ask({ fail: 'plain' })).rejects.toThrow('a plain failure');
      await expect(counter(first(), 'failing').ask({ add: 1 })).resolves.toMatchObject({ log: [-1, 1] });
    });

    it('refuses an undefined actor type with ClusterError UNKNOWN_ACTOR_TYPE', async () => {
      const ref = last().server.cluster.ref('nobody', 'x');
      await expect(ref.ask('hi')).rejects.toBeInstanceOf(ClusterError);
      await expect(ref.ask('hi')).rejects.toMatchObject({ code: 'UNKNOWN_ACTOR_TYPE' });
      expect(() => ref.tell('hi')).toThrow(/not defined/);
    });

    it('times an ask out with ActorError TIMEOUT', async () => {
      const stuck = counter(last(), 'stuck');
      await counter(first(), 'stuck').ask({ get: true }); // activated on the first node
      await expect(stuck.ask({ hang: true }, 200)).rejects.toBeInstanceOf(ActorError);
      await expect(stuck.ask({ get: true }, 200)).rejects.toMatchObject({ code: 'TIMEOUT' });
    });

    it('finds a user on any node and pushes to them', async () => {
      const ada = await connect(first());
      const where = await ada.request(HelloNodeReq, { name: 'ada' });
      expect(where.node).toBe(first().server.cluster.node);
      const pushes: Pushed[] = [];
      ada.on(Pushed, (push) => pushes.push(push));
      const sender = await connect(last());
      await sender.request(HelloNodeReq, { name: 'bob' });
      expect(await sender.request(PushReq, { user: 'ada', text: 'hi ada' })).toEqual({ delivered: true });
      await vi.waitFor(() => expect(pushes).toEqual([{ text: 'hi ada', node: last().server.cluster.node }]));
      expect(await last().server.cluster.users.locate('ada')).toMatchObject({
        node: first().server.cluster.node,
      });
      expect(await sender.request(PushReq, { user: 'nobody', text: 'x' })).toEqual({ delivered: false });
    });

    it('forgets a user whose session closed', async () => {
      const gone = await connect(first());
      await gone.request(HelloNodeReq, { name: 'gone' });
      await gone.close();
      await vi.waitFor(async () => expect(await last().server.cluster.users.locate('gone')).toBeUndefined());
    });

    it('broadcasts to the members of a room on every node exactly once', async () => {
      const members = await Promise.all(nodes.flatMap((node) => [connect(node), connect(node)]));
      const heard = members.map(() => [] as Shouted[]);
      await Promise.all(
        members.map(async (client, i) => {
          client.on(Shouted, (shout) => heard[i].push(shout));
          await client.request(HelloNodeReq, { name: `m${i}` });
          await client.request(JoinRoomReq, { room: 'hall' });
        }),
      );
      members[members.length - 1].send(Shout, { room: 'hall', text: 'one' });
      members[0].send(Shout, { room: 'hall', text: 'two' });
      await vi.waitFor(() => expect(heard.every((h) => h.length === 2)).toBe(true));
      for (const h of heard) expect(new Set(h.map((s) => s.text))).toEqual(new Set(['one', 'two']));
      // A member that left hears nothing more; the others still do.
      await members[0].close();
      members[1].send(Shout, { room: 'hall', text: 'three' });
      await vi.waitFor(() => expect(heard.slice(1).every((h) => h.length === 3)).toBe(true));
      expect(heard[0]).toHaveLength(2);
    });

    it('drives actors from a client through a handler (ordering of a burst)', async () => {
      const client = await connect(last());
      await client.request(HelloNodeReq, { name: 'driver' });
      const reply = await client.request(CounterReq, {
        actor: 'counter',
        id: 'driven',
        first: 0,
        count: 100,
      });
      expect(reply.log).toEqual([-1, ...Array.from({ length: 100 }, (_, n) => n)]);
    });

    /** A logged-in client on `node` that records the hub's broadcasts. */
    const hubMember = async (node: TestNode, name: string) => {
      const client = await connect(node);
      await client.request(HelloNodeReq, { name });
      const said: HubSaid[] = [];
      const events: HubEvent[] = [];
      client.on(HubSaid, (message) => said.push(message));
      client.on(HubEvent, (event) => events.push(event));
      return { client, said, events };
    };

    it('joins a matchmaker room hosted on another node: one room, its broadcasts heard once', async () => {
      const ada = await hubMember(first(), 'hub-ada');
      const bob = await hubMember(last(), 'hub-bob');
      const host = first().server.cluster.node;
      expect(await ada.client.request(EnterHubReq, { room: 'plaza' })).toMatchObject({
        host,
        members: ['hub-ada'],
      });
      expect(await bob.client.request(EnterHubReq, { room: 'plaza' })).toMatchObject({
        host,
        members: ['hub-ada', 'hub-bob'],
      });
      await vi.waitFor(() => expect(ada.events).toEqual([{ kind: 'joined', name: 'hub-bob', reason: '' }]));
      // bob's room-scoped handler runs in the room on the hosting node, with bob as a member there.
      expect(await bob.client.request(HubSayReq, { text: 'hi from bob' })).toEqual({
        host,
        members: ['hub-ada', 'hub-bob'],
        delivered: 2,
      });
      await ada.client.request(HubSayReq, { text: 'hi from ada' });
      const expected = [
        { from: 'hub-bob', text: 'hi from bob' },
        { from: 'hub-ada', text: 'hi from ada' },
      ];
      await vi.waitFor(() => expect(bob.said).toEqual(expected));
      await vi.waitFor(() => expect(ada.said).toEqual(expected));
      expect(bob.events).toEqual([]); // bob's own join is not announced to bob
      const listed = await last().server.rooms.list('hub');
      expect(listed.find((room) => room.id === 'plaza')).toMatchObject({ clients: 2 });
    });

    it("runs one member's room-scoped requests in the room in the order sent", async () => {
      const ada = await hubMember(first(), 'order-ada');
      const bob = await hubMember(last(), 'order-bob');
      await ada.client.request(EnterHubReq, { room: 'ordered-hub' });
      await bob.client.request(EnterHubReq, { room: 'ordered-hub' });
      const texts = Array.from({ length: 50 }, (_, n) => `m${n}`);
      await Promise.all(texts.map((text) => bob.client.request(HubSayReq, { text })));
      await vi.waitFor(() => expect(ada.said.map((message) => message.text)).toEqual(texts));
    });

    it('a member on another node leaves on request and when its connection closes', async () => {
      const ada = await hubMember(first(), 'leave-ada');
      const bob = await hubMember(last(), 'leave-bob');
      const cat = await hubMember(last(), 'leave-cat');
      await ada.client.request(EnterHubReq, { room: 'leaving-hub' });
      await bob.client.request(EnterHubReq, { room: 'leaving-hub' });
      await cat.client.request(EnterHubReq, { room: 'leaving-hub' });
      expect(await bob.client.request(LeaveHubReq, { room: 'leaving-hub' })).toEqual({ left: true });
      await expect(bob.client.request(HubSayReq, { text: 'gone' })).rejects.toMatchObject({
        code: 'NOT_IN_ROOM',
      });
      await cat.client.close();
      await vi.waitFor(() =>
        expect(ada.events.filter((event) => event.kind === 'left')).toEqual([
          { kind: 'left', name: 'leave-bob', reason: 'left' },
          { kind: 'left', name: 'leave-cat', reason: 'closed' },
        ]),
      );
      expect(await ada.client.request(HubSayReq, { text: 'alone' })).toMatchObject({
        members: ['leave-ada'],
        delivered: 1,
      });
      await vi.waitFor(async () =>
        expect(
          (await first().server.rooms.list('hub')).find((room) => room.id === 'leaving-hub'),
        ).toMatchObject({ clients: 1 }),
      );
    });
  });
}
