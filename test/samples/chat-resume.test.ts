/** The chat sample through a dropped connection: its users stay in their rooms (docs/resume.md). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../samples/chat/chat-client';
import { formatEvent } from '../../samples/chat/commands';
import { startChatServer } from '../../samples/chat/server';
import { CuttingProxy } from '../resume/support/cutting-proxy';
import { EventLog } from './support/event-log';

describe('samples/chat with session resume', () => {
  let chat: Awaited<ReturnType<typeof startChatServer>>;
  let proxy: CuttingProxy;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    chat = await startChatServer({ port: 0, logLevel: 'silent' });
    proxy = await CuttingProxy.start(chat.port);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await proxy.close();
    await chat.server.stop();
  });

  it('keeps a user in its room through a dropped connection; it gets what was said meanwhile', async () => {
    const alice = await ChatClient.connect({ host: '127.0.0.1', port: proxy.port, resume: true });
    const bob = await ChatClient.connect({ host: '127.0.0.1', port: chat.port });
    clients.push(alice, bob);
    const aliceLog = new EventLog(alice);
    await alice.login('alice');
    await bob.login('bob');
    await alice.join('lobby');
    expect((await bob.join('lobby')).members.sort()).toEqual(['alice', 'bob']);
    const bobLog = new EventLog(bob);

    proxy.refuse = true;
    proxy.resetAll();
    const lostConnection = await aliceLog.until(
      (e) => e.kind === 'connection' && e.event.type === 'reconnecting',
      'reconnecting',
    );
    expect(formatEvent(lostConnection)).toMatch(/^\* connection lost \(.+\), reconnecting \(attempt 1\)$/);
    expect(await bob.say('are you there?')).toBe(2); // alice is away, still a member: kept for her
    expect((await bob.rooms()).find((r) => r.name === 'lobby')?.members).toBe(2);
    proxy.refuse = false;

    const resumed = await aliceLog.until(
      (e) => e.kind === 'connection' && e.event.type === 'resumed',
      'resumed',
      10_000,
    );
    expect(formatEvent(resumed)).toMatch(/^\* reconnected: still in your room/);
    await aliceLog.until(
      (e) => e.kind === 'message' && e.message.text === 'are you there?',
      'the missed message',
    );
    expect(alice.room).toBe('lobby');
    expect(aliceLog.events.some((e) => e.kind === 'closed')).toBe(false);
    expect(await alice.say('yes, back')).toBe(2);
    await bobLog.until((e) => e.kind === 'message' && e.message.text === 'yes, back', 'alice again');
    expect(bobLog.events.some((e) => e.kind === 'left')).toBe(false); // bob never saw her leave
  });
});
