/** The chat sample end to end through its real client (ChatClient + the terminal's command runner). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Welcome } from '../../framework/protocol/framework-messages';
import { ChatClient } from '../../samples/chat/chat-client';
import { runBotLoad } from '../../samples/chat/bots';
import { runCommand } from '../../samples/chat/commands';
import { HISTORY_LENGTH } from '../../samples/chat/errors';
import { startChatServer } from '../../samples/chat/server';
import { LoginRes } from '../../samples/chat/generated/packets';
import { EventLog } from './support/event-log';
import { RawSocket } from './support/raw-socket';

describe('samples/chat', () => {
  let chat: Awaited<ReturnType<typeof startChatServer>>;
  const clients: ChatClient[] = [];
  const connect = async (name: string, account = ''): Promise<{ client: ChatClient; log: EventLog }> => {
    const client = await ChatClient.connect({ host: '127.0.0.1', port: chat.port });
    clients.push(client);
    const log = new EventLog(client);
    if (name !== '') await client.login(name, account);
    return { client, log };
  };
  const say = async (client: ChatClient, line: string): Promise<string[]> =>
    (await runCommand(client, line)).lines;

  beforeAll(async () => {
    chat = await startChatServer({ port: 0, logLevel: 'silent' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await chat.server.stop();
  });

  it('logs in three users, broadcasts, whispers, leaves, and kicks a duplicate login', async () => {
    const alice = await connect('alice', 'acc-alice');
    const bob = await connect('bob');
    const carol = await connect('carol');

    // Duplicate nickname from another account: refused, case-insensitively.
    const intruder = await connect('');
    await expect(intruder.client.login('ALICE')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await expect(intruder.client.rooms()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    expect(await say(alice.client, '/join lobby')).toEqual(['* joined lobby: alice']);
    expect(await say(bob.client, '/join lobby')).toEqual(['* joined lobby: alice, bob']);
    await alice.log.until((e) => e.kind === 'joined' && e.name === 'bob', 'alice sees bob join');
    await say(carol.client, '/join lobby');
    await bob.log.until((e) => e.kind === 'joined' && e.name === 'carol', 'bob sees carol join');
    expect(await say(bob.client, '/rooms')).toEqual(['  lobby (3)']);

    expect(await say(alice.client, 'hello room')).toEqual([]);
    for (const { log } of [alice, bob, carol])
      await log.until((e) => e.kind === 'message' && e.message.text === 'hello room', 'the broadcast');

    expect(await say(bob.client, '/msg Carol just for you')).toEqual(['[private to Carol] just for you']);
    const whisper = await carol.log.until((e) => e.kind === 'private', 'the private message');
    expect(whisper).toEqual({ kind: 'private', from: 'bob', text: 'just for you' });
    expect(await say(bob.client, '/msg nobody hi')).toEqual([
      '! NO_SUCH_USER: nobody called nobody is online',
    ]);

    expect(await say(carol.client, '/leave')).toEqual(['* left lobby']);
    await alice.log.until((e) => e.kind === 'left' && e.name === 'carol', 'alice sees carol leave');
    expect(await say(carol.client, 'anyone?')).toEqual([
      '! NOT_IN_ROOM: chat.SayReq is handled by chat rooms: join one first',
    ]);

    // The same account logs in again: the old session is kicked, the room is told it left.
    const alice2 = await connect('alice', 'acc-alice');
    const closed = await alice.log.until((e) => e.kind === 'closed', 'the old alice is kicked');
    expect(closed).toMatchObject({ kind: 'closed', kick: 'logged in from another connection' });
    await bob.log.until((e) => e.kind === 'left' && e.name === 'alice', 'bob sees the old alice leave');
    expect(await say(alice2.client, '/join lobby')).toContain('* joined lobby: bob, alice');
    expect(bob.log.texts()).toEqual(['hello room']);
    expect(carol.log.events.some((e) => e.kind === 'private' && e.from === 'alice')).toBe(false);
  });

  it(`sends the last ${HISTORY_LENGTH} messages of a room on join, oldest first`, async () => {
    const talker = await connect('talker');
    await talker.client.join('history');
    for (let i = 1; i <= HISTORY_LENGTH + 5; i++) await talker.client.say(`line ${i}`);
    const late = await connect('late');
    const res = await late.client.join('history', false);
    expect(res.history.map((m) => m.text)).toEqual(
      Array.from({ length: HISTORY_LENGTH }, (_, i) => `line ${i + 6}`),
    );
    expect(res.history.every((m) => m.room === 'history' && m.from === 'talker')).toBe(true);
    await expect(late.client.join('missing', false)).rejects.toMatchObject({ code: 'NO_SUCH_ROOM' });
    await expect(late.client.create('history')).rejects.toMatchObject({ code: 'ROOM_EXISTS' });
    await expect(late.client.create('bad room!')).rejects.toMatchObject({ code: 'BAD_NAME' });
  });

  it('frees a nickname when its session disconnects, and gives guests unique names', async () => {
    const first = await connect('dora');
    const id = first.client.game.sessionId;
    const gone = new Promise<void>((resolve) =>
      chat.server.onSessionClose((session) => (session.id === id ? resolve() : undefined)),
    );
    await first.client.close();
    await gone;
    const again = await connect('');
    expect((await again.client.login('dora')).name).toBe('dora');
    const guest = await connect('');
    expect((await guest.client.login('')).name).toMatch(/^guest-\d+$/);
    // One frame for load generators: a guest login that also joins (and creates) a room.
    const joiner = await connect('');
    const { joined } = await joiner.client.login('', '', 'one-frame');
    expect(joined).toMatchObject({ room: 'one-frame', history: [] });
    expect(joined?.members).toHaveLength(1);
    const bad = await connect('');
    await expect(bad.client.login('erin', '', 'no spaces')).rejects.toMatchObject({ code: 'BAD_NAME' });
    expect((await bad.client.login('erin')).name).toBe('erin');
  });

  it('bot mode: every member of one room gets every message', async () => {
    const report = await runBotLoad({
      host: '127.0.0.1',
      port: chat.port,
      bots: 30,
      room: 'bots',
      senders: 3,
      rate: 60,
      durationS: 1,
    });
    expect(report.members).toBe(30);
    expect(report.sent).toBeGreaterThanOrEqual(50);
    expect(report.delivered).toBe(report.sent * 30);
    expect(report.deliveredPercent).toBe(100);
  });

  it('accepts the Hello and join frames docs/samples.md gives the load generator', async () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'samples.md'), 'utf8');
    const hello = /Hello frame \(hex\)[^`]*`([0-9a-f]+)`/.exec(doc)?.[1];
    const join = /join frame \(hex\)[^`]*`([0-9a-f]+)`/.exec(doc)?.[1];
    expect(hello && join, 'docs/samples.md has both frames').toBeTruthy();
    const socket = await RawSocket.connect(chat.port);
    socket.write(`${hello}${join}`);
    const [welcome, login] = await socket.until(2);
    socket.close();
    expect(welcome.msgId).toBe(Welcome.id);
    expect(login.msgId).toBe(LoginRes.id);
    expect(LoginRes.decode(login.payload)).toMatchObject({
      name: expect.stringMatching(/^guest-/),
      joined: { room: 'bench' },
    });
  });
});
