import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import type { Transport } from '../../framework/transport/transport';
import { type Harness, startServer } from './support/harness';
import { JoinReq, LoginReq, Said, Say } from './support/messages';
import { availableTransports } from './support/transports';

const CLIENTS = 200;

describe.each(availableTransports())('rooms and broadcast on $engine', (transportCase) => {
  let harness: Harness | undefined;
  let clientTransport: Transport | undefined;
  afterEach(async () => {
    await harness?.close();
    await clientTransport?.shutdown();
    harness = undefined;
    clientTransport = undefined;
  });

  it(`broadcasts to ${CLIENTS} members with one encode and one transport call; closed sessions leave`, async () => {
    harness = await startServer(transportCase);
    const transport = harness.server.transport;
    const broadcasts: number[] = [];
    const broadcast = transport.broadcast.bind(transport);
    transport.broadcast = (sessions, msgId, seq, payload) => {
      broadcasts.push(sessions.length);
      broadcast(sessions, msgId, seq, payload);
    };
    let encodes = 0;
    const encode = Said.encode;
    Said.encode = (message) => {
      encodes++;
      return encode(message);
    };
    // The clients share one transport of the same engine (the native engine in client mode, or node:net).
    clientTransport = transportCase.create();
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        GameClient.connect({ port: harness!.port, transport: clientTransport, heartbeat: false }),
      ),
    );
    const counts: number[] = [];
    for (const [i, client] of clients.entries()) {
      await client.request(LoginReq, { name: `p${i}` });
      counts.push((await client.request(JoinReq, { room: 'arena' })).members);
    }
    expect(counts).toEqual(Array.from({ length: CLIENTS }, (_, i) => i + 1));
    const room = harness.server.rooms.get('arena')!;
    const size = () => room.run((r) => r.size);
    expect(await size()).toBe(CLIENTS);

    const received = clients.map((client) => new Promise<Said>((resolve) => client.on(Said, resolve)));
    clients[7].send(Say, { room: 'arena', text: 'hello all' });
    const messages = await Promise.all(received);
    expect(messages.every((m) => m.text === 'hello all' && m.from === clients[7].sessionId)).toBe(true);
    expect(encodes).toBe(1);
    expect(broadcasts).toEqual([CLIENTS]);

    await Promise.all(clients.slice(0, 50).map((client) => client.close()));
    await expect.poll(size).toBe(CLIENTS - 50);
    const survivors = clients.slice(50);
    const again = survivors.map((client) => new Promise<Said>((resolve) => client.on(Said, resolve)));
    survivors[0].send(Say, { room: 'arena', text: 'fewer now' });
    expect((await Promise.all(again)).map((m) => m.text)).toEqual(survivors.map(() => 'fewer now'));
    expect(broadcasts).toEqual([CLIENTS, CLIENTS - 50]);
    Said.encode = encode;
    await Promise.all(survivors.map((client) => client.close()));
    await expect.poll(() => harness!.server.rooms.get('arena')).toBeUndefined(); // empty: disposed
  });
});
