import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ErrorMessage,
  Hello,
  HELLO_MAGIC,
  Kick,
  PROTOCOL_VERSION,
  Welcome,
} from '../../framework/protocol/framework-messages';
import { type Harness, startServer } from '../framework/support/harness';
import { EchoReq, EchoRes } from '../framework/support/messages';
import { RawConnection } from '../framework/support/raw-connection';
import { availableTransports } from '../framework/support/transports';

/** Sends a Hello with resume fields and returns the Welcome and any Error that came before it. */
async function hello(
  raw: RawConnection,
  fields: { resumable?: boolean; resumeToken?: Buffer; lastReceived?: number } = {},
): Promise<{ welcome: Welcome; errors: ErrorMessage[] }> {
  raw.send(
    Hello.id,
    1,
    Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion: PROTOCOL_VERSION, ...fields })),
  );
  const frame = await raw.frame(Welcome.id);
  const index = raw.frames.indexOf(frame);
  const errors = raw.frames
    .slice(0, index)
    .filter((f) => f.msgId === ErrorMessage.id)
    .map((f) => ErrorMessage.decode(f.payload));
  return { welcome: Welcome.decode(frame.payload), errors };
}

async function echo(raw: RawConnection, seq: number, text: string): Promise<EchoRes> {
  const from = raw.frames.length;
  raw.send(EchoReq.id, seq, EchoReq.encode({ text, delayMs: 0 }));
  return EchoRes.decode((await raw.frame(EchoRes.id, from)).payload);
}

describe.each(availableTransports())('resume tokens on $engine', (transportCase) => {
  let harness: Harness | undefined;
  const raws: RawConnection[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) await raw.shutdown();
    await harness?.close();
    harness = undefined;
  });
  const open = async (): Promise<RawConnection> => {
    const raw = await RawConnection.open(harness!.port);
    raws.push(raw);
    return raw;
  };

  it('an old Hello gets no token; a resumable one gets an unguessable token that changes at each resume', async () => {
    harness = await startServer(transportCase);
    const plain = await hello(await open());
    expect(plain.welcome.resumeToken.length).toBe(0);
    expect(plain.welcome.resumed).toBe(false);

    const first = await open();
    const a = await hello(first, { resumable: true });
    expect(a.welcome.resumeToken.length).toBe(24);
    expect(a.welcome.resumeWindowMs).toBe(30_000);
    expect(await echo(first, 2, 'one')).toMatchObject({ order: 1 }); // server frame 1
    const session = harness.server.session(a.welcome.sessionId)!;
    await first.shutdown(); // FIN: the session is kept
    await expect.poll(() => session.away).toBe(true);

    const second = await open();
    const b = await hello(second, { resumeToken: a.welcome.resumeToken, lastReceived: 1, resumable: true });
    expect(b.errors).toEqual([]);
    expect(b.welcome).toMatchObject({ resumed: true, sessionId: a.welcome.sessionId, lastSent: 1 });
    expect(Buffer.from(b.welcome.resumeToken).equals(Buffer.from(a.welcome.resumeToken))).toBe(false);
    // The request answered before the drop, sent again with its seq: answered from the kept response.
    expect(await echo(second, 2, 'one')).toMatchObject({ text: 'one', order: 1 });
    expect(await echo(second, 3, 'two')).toMatchObject({ text: 'two', order: 2 });

    // The first token, replayed by another client: a clear Error and a fresh session, never this one.
    const thief = await open();
    const c = await hello(thief, { resumeToken: a.welcome.resumeToken, lastReceived: 1, resumable: true });
    expect(c.errors).toMatchObject([{ code: 'RESUME_UNKNOWN', messageId: Hello.id }]);
    expect(c.welcome.resumed).toBe(false);
    expect(c.welcome.sessionId).not.toBe(a.welcome.sessionId);
    expect(await echo(thief, 2, 'mine')).toMatchObject({ order: 1 });
    expect(await echo(second, 4, 'still here')).toMatchObject({ order: 3 });

    for (const token of [randomBytes(24), randomBytes(5)]) {
      const guess = await hello(await open(), { resumeToken: token });
      expect(guess.errors.map((e) => e.code)).toEqual(['RESUME_UNKNOWN']);
      expect(guess.welcome.resumeToken.length).toBe(0); // it did not ask for a resumable session
    }
  });

  it('a second connection with the token in use takes the session over; the first gets Kick "replaced"', async () => {
    harness = await startServer(transportCase);
    const first = await open();
    const a = await hello(first, { resumable: true });
    expect(await echo(first, 2, 'x')).toMatchObject({ order: 1 });
    const second = await open();
    const b = await hello(second, { resumeToken: a.welcome.resumeToken, lastReceived: 1, resumable: true });
    expect(b.welcome).toMatchObject({ resumed: true, sessionId: a.welcome.sessionId });
    const kick = await first.frame(Kick.id);
    expect(Kick.decode(kick.payload).reason).toBe('replaced');
    await first.closed;
    expect(await echo(second, 3, 'y')).toMatchObject({ order: 2 });
    expect(harness.server.session(a.welcome.sessionId)?.away).toBe(false);
  });

  it('a position the server never sent is refused, and resume is off with resumeWindowMs 0', async () => {
    harness = await startServer(transportCase);
    const first = await open();
    const a = await hello(first, { resumable: true });
    const ahead = await hello(await open(), { resumeToken: a.welcome.resumeToken, lastReceived: 99 });
    expect(ahead.errors.map((e) => e.code)).toEqual(['RESUME_UNKNOWN']);
    expect(await echo(first, 2, 'untouched')).toMatchObject({ order: 1 });
    await harness.close();
    harness = await startServer(transportCase, { limits: { resumeWindowMs: 0 } });
    const off = await hello(await open(), { resumable: true });
    expect(off.welcome.resumeToken.length).toBe(0);
  });
});
