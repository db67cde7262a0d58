import { afterEach, describe, expect, it } from 'vitest';
import type { RequestError } from '../../framework/client/game-client';
import { ErrorMessage } from '../../framework/protocol/framework-messages';
import { type Harness, startServer } from './support/harness';
import { EchoReq, Note, NotesReq } from './support/messages';
import { RawConnection } from './support/raw-connection';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('session lifecycle on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('refuses a wrong protocol version with VERSION_MISMATCH and closes protocol_error', async () => {
    harness = await startServer(transportCase);
    const error = (await harness.connect({ protocolVersion: 99 }).catch((e: unknown) => e)) as RequestError;
    expect(error.code).toBe('VERSION_MISMATCH');
    expect(error.message).toContain('99');
    await expect.poll(() => harness!.serverCloses.map((c) => c.reason)).toEqual(['protocol_error']);
  });

  it('requires Hello as the first frame', async () => {
    harness = await startServer(transportCase);
    const raw = await RawConnection.open(harness.port);
    raw.send(EchoReq.id, 3, EchoReq.encode({ text: 'too early', delayMs: 0 }));
    const error = await raw.frame(ErrorMessage.id);
    expect(ErrorMessage.decode(error.payload).code).toBe('BAD_HANDSHAKE');
    expect(await raw.closed).toBe('peer_closed');
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['protocol_error']);
    await raw.shutdown();
  });

  it('closes handshake_timeout when no Hello comes in time', async () => {
    harness = await startServer(transportCase, { limits: { handshakeTimeoutMs: 100 } });
    const raw = await RawConnection.open(harness.port);
    const started = Date.now();
    expect(await raw.closed).toBe('peer_closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['handshake_timeout']);
    await raw.shutdown();
  });

  it('closes idle_timeout without frames; a heartbeating client stays', async () => {
    harness = await startServer(transportCase, { limits: { idleTimeoutMs: 300, heartbeatIntervalMs: 60 } });
    const beating = await harness.connect();
    const silent = await harness.connect({ heartbeat: false });
    const started = Date.now();
    expect(await silent.whenClosed()).toBe('peer_closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(harness.serverCloses).toEqual([{ session: silent.sessionId, reason: 'idle_timeout' }]);
    expect(silent.kickReason).toBe('idle_timeout');
    expect(beating.connected).toBe(true);
    expect(await beating.request(EchoReq, { text: 'alive', delayMs: 0 })).toMatchObject({ text: 'alive' });
  });

  it('limits the message rate: Error RATE_LIMITED, then close rate_limited', async () => {
    harness = await startServer(transportCase, { limits: { rateLimit: { perSecond: 50, burst: 20 } } });
    const client = await harness.connect();
    const errors: string[] = [];
    client.onError((error) => errors.push(error.code));
    for (let n = 0; n < 60; n++) client.send(Note, { n, delayMs: 0 });
    expect(await client.whenClosed()).toBe('peer_closed');
    expect(errors).toEqual(['RATE_LIMITED']);
    expect(client.kickReason).toBe('rate_limited');
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['rate_limited']);
  });

  it('applies the default rate limit (burst 1000) and lets it be switched off', async () => {
    harness = await startServer(transportCase);
    const limited = await harness.connect();
    for (let n = 0; n < 1600; n++) limited.send(Note, { n, delayMs: 0 });
    expect(await limited.whenClosed()).toBe('peer_closed');
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['rate_limited']);
    await harness.close();

    harness = await startServer(transportCase, { limits: { rateLimit: false } });
    const unlimited = await harness.connect();
    for (let n = 0; n < 3000; n++) unlimited.send(Note, { n, delayMs: 0 });
    const { notes } = await unlimited.request(NotesReq, {});
    expect(notes).toHaveLength(3000);
    expect(notes[2999]).toBe(2999);
  });
});
