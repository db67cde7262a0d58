/**
 * Three cluster nodes as child processes on one real nats-server (JetStream, temp store): cross-node rooms,
 * pushes, asks and ordering; a node killed with SIGKILL (its actors move after the lease TTL, members
 * elsewhere are told their room was reset, its clients reconnect to another node and are told their
 * session is gone, members elsewhere of its matchmaker rooms are let go); a NATS restart survived; a node
 * with another message table refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import type { ReconnectEvent } from '../../framework/resume/client-resume';
import { ChildNode } from './support/child-nodes';
import {
  CounterReq,
  EnterHubReq,
  HelloNodeReq,
  HubSayReq,
  JoinRoomReq,
  Pushed,
  PushReq,
  RoomReset,
  Shout,
  Shouted,
} from './support/messages';
import { NatsServer, natsSkipReason } from './support/nats-server';

const skip = natsSkipReason();
const LEASE_TTL_MS = 1500;

describe.skipIf(skip !== undefined)('a cluster of three node processes', () => {
  if (skip !== undefined) it.skip(skip, () => undefined);
  let nats: NatsServer;
  let nodes: ChildNode[];
  const clients: GameClient[] = [];

  const login = async (node: ChildNode, name: string): Promise<GameClient> => {
    const client = await node.connect();
    clients.push(client);
    expect(await client.request(HelloNodeReq, { name })).toEqual({ node: node.name });
    return client;
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => ChildNode.start(nats.url, name, LEASE_TTL_MS)));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await nats?.stop();
  });

  it('shares a room across nodes: each member hears each broadcast once', async () => {
    const members = await Promise.all(nodes.map((node) => login(node, `hall-${node.name}`)));
    const heard = members.map(() => [] as Shouted[]);
    members.forEach((client, i) => client.on(Shouted, (shout) => heard[i].push(shout)));
    for (const client of members) await client.request(JoinRoomReq, { room: 'hall' });
    members.forEach((client, i) => client.send(Shout, { room: 'hall', text: `from ${nodes[i].name}` }));
    await vi.waitFor(() => expect(heard.every((h) => h.length === 3)).toBe(true));
    for (const h of heard) expect(h.map((s) => s.text).sort()).toEqual(['from a', 'from b', 'from c']);
  });

  it('pushes to a user logged in on another node', async () => {
    const ada = await login(nodes[0], 'ada');
    const pushes: Pushed[] = [];
    ada.on(Pushed, (push) => pushes.push(push));
    const carl = await login(nodes[2], 'carl');
    expect(await carl.request(PushReq, { user: 'ada', text: 'psst' })).toEqual({ delivered: true });
    await vi.waitFor(() => expect(pushes).toEqual([{ text: 'psst', node: 'c' }]));
  });

  it("keeps each sender node's tells in order at one actor, with three nodes sending at once", async () => {
    const drivers = await Promise.all(nodes.map((node) => login(node, `driver-${node.name}`)));
    const replies = await Promise.all(
      drivers.map((client, i) =>
        client.request(CounterReq, { actor: 'counter', id: 'tally', first: i * 1000, count: 300 }),
      ),
    );
    expect(new Set(replies.map((reply) => reply.node)).size).toBe(1); // one activation
    const final = await drivers[0].request(CounterReq, { actor: 'counter', id: 'tally', first: 0, count: 0 });
    for (let i = 0; i < 3; i++) {
      const fromNode = final.log.filter((n) => n >= i * 1000 && n < i * 1000 + 1000);
      expect(fromNode).toEqual(Array.from({ length: 300 }, (_, k) => i * 1000 + k));
    }
  });

  it("moves a dead node's actor to a live node after the lease TTL and tells members elsewhere", async () => {
    const [a, b, c] = nodes;
    const onA = await login(a, 'arena-a');
    await onA.request(JoinRoomReq, { room: 'arena' }); // the room actor is activated on a
    const onB = await login(b, 'arena-b');
    const onC = await login(c, 'arena-c');
    const resets: RoomReset[] = [];
    onB.on(RoomReset, (reset) => resets.push(reset));
    onC.on(RoomReset, (reset) => resets.push(reset));
    await onB.request(JoinRoomReq, { room: 'arena' });
    await onC.request(JoinRoomReq, { room: 'arena' });
    const before = await onC.request(CounterReq, { actor: 'room', id: 'arena', first: 0, count: 0 });
    expect(before).toMatchObject({ node: 'a', reason: 'new' });
    // A resumable client of a that knows b's address too, and a matchmaker room on a with a member on b.
    const roamer = await GameClient.connect({
      host: '127.0.0.1',
      port: a.port,
      resume: { initialDelayMs: 20, maxDelayMs: 200, addresses: [{ host: '127.0.0.1', port: b.port }] },
    });
    clients.push(roamer);
    const roaming: ReconnectEvent[] = [];
    roamer.onReconnect((event) => roaming.push(event));
    await roamer.request(HelloNodeReq, { name: 'roamer' });
    expect(await onA.request(EnterHubReq, { room: 'doomed-hub' })).toMatchObject({ host: 'a' });
    expect(await onB.request(EnterHubReq, { room: 'doomed-hub' })).toMatchObject({ host: 'a' });

    const killedAt = Date.now();
    await a.kill9();
    const after = await onC.request(CounterReq, { actor: 'room', id: 'arena', first: 0, count: 0 });
    const movedMs = Date.now() - killedAt;
    expect(after).toMatchObject({ node: 'c', reason: 'failover', previousNode: 'a', log: [] });
    await vi.waitFor(() => expect(resets.map((r) => r.previousNode).sort()).toEqual(['a', 'a']));
    await vi.waitFor(() => expect(onA.closed).toBeDefined());
    // The dead node's client is on b now, told its session is gone (b did not issue its token): log in again.
    await vi.waitFor(() =>
      expect(roaming).toContainEqual({ type: 'lost', reason: 'SESSION_GONE', fresh: true }),
    );
    expect(await roamer.request(HelloNodeReq, { name: 'roamer' })).toEqual({ node: 'b' });
    // b's member of the room a hosted is let go; the room id is free for a new room (made on b).
    await expect(onB.request(HubSayReq, { text: 'anyone?' })).rejects.toMatchObject({ code: 'NO_SUCH_ROOM' });
    expect(await onB.request(EnterHubReq, { room: 'doomed-hub' })).toMatchObject({
      host: 'b',
      members: ['arena-b'],
    });
    // Informational: the failover time is bounded below by the lease (the TTL minus the renewal period).
    console.log(`failover after kill -9: ${movedMs} ms (lease TTL ${LEASE_TTL_MS} ms)`);
    expect(movedMs).toBeGreaterThanOrEqual(LEASE_TTL_MS - Math.floor(LEASE_TTL_MS / 3) - 100);
  });

  it('survives a NATS restart: nodes reconnect and traffic resumes', async () => {
    const [, b, c] = nodes;
    const bob = await login(b, 'bob');
    const cleo = await login(c, 'cleo');
    const pushes: Pushed[] = [];
    bob.on(Pushed, (push) => pushes.push(push));
    await nats.restart();
    await vi.waitFor(
      async () =>
        expect(await cleo.request(PushReq, { user: 'bob', text: 'back' })).toEqual({ delivered: true }),
      { timeout: 20_000, interval: 200 },
    );
    await vi.waitFor(() => expect(pushes.some((p) => p.text === 'back')).toBe(true));
    const reply = await cleo.request(CounterReq, {
      actor: 'counter',
      id: 'after-restart',
      first: 0,
      count: 50,
    });
    expect(reply.log).toEqual([-1, ...Array.from({ length: 50 }, (_, n) => n)]);
    expect(b.alive && c.alive).toBe(true);
    // Informational: what node b logged about the outage (warn and above).
    const events = b.output().match(/"msg":"cluster: [^"]*"/g) ?? [];
    console.log(`node b during the NATS restart: ${[...new Set(events)].join(', ')}`);
  });

  it('refuses a node whose message table differs, with a clear error', async () => {
    await expect(ChildNode.start(nats.url, 'odd', LEASE_TTL_MS, ['--other-table'])).rejects.toThrow(
      /node "odd" cannot join the cluster: its message table differs from live node "[bc]"/,
    );
  });

  it('refuses a second live node with the same name', async () => {
    await expect(ChildNode.start(nats.url, 'b', LEASE_TTL_MS)).rejects.toThrow(
      /node name "b" is held by a live node/,
    );
  });
});
