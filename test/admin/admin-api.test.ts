import { afterEach, describe, expect, it } from 'vitest';
import { OptionError } from '../../framework/errors';
import { Notice } from '../../framework/protocol/framework-messages';
import { GameServer } from '../../framework/server/game-server';
import { EchoReq } from '../../samples/echo/generated/packets';
import * as messages from '../../samples/echo/generated/packets';
import { runnableEngines } from '../support/engines';
import {
  AdminTestController,
  type AdminFixture,
  json,
  sampleValue,
  startAdminServer,
} from './support/fixture';

const bytes = (text: string) => Buffer.from(text);

describe('admin options', () => {
  const base = { port: 0, messages, controllers: [AdminTestController] };

  it('is off by default', () => {
    expect(new GameServer(base).admin).toBeUndefined();
  });

  it('refuses a non-loopback host without a token, short tokens, bad ports and unknown keys', () => {
    expect(() => new GameServer({ ...base, admin: { port: 0, host: '0.0.0.0' } })).toThrow(
      'GameServer options: admin.host is not a loopback address: set admin.token (the admin API can kick sessions) (got "0.0.0.0")',
    );
    expect(() => new GameServer({ ...base, admin: { port: 0, token: 'short' } })).toThrow(OptionError);
    expect(() => new GameServer({ ...base, admin: { port: 70000 } })).toThrow(
      'GameServer options: admin.port must be an integer from 0 to 65535 (got 70000)',
    );
    expect(() => new GameServer({ ...base, admin: { port: 0, tls: true } as never })).toThrow(
      'GameServer options: unknown option admin.tls',
    );
    expect(
      new GameServer({ ...base, admin: { port: 0, host: '0.0.0.0', token: 'x'.repeat(16) } }).admin,
    ).toBeDefined();
  });
});

describe.each(runnableEngines('FASTPORT_TEST_ENGINES'))('admin API on %s', (engine) => {
  let fixture: AdminFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('answers /healthz and /readyz, and is not ready while draining for stop', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    expect((await f.get('/healthz')).status).toBe(200);
    expect(await json(f.get('/readyz'))).toEqual({ status: 'ready' });
    const client = await f.connect();
    const answer = client.request(EchoReq, { data: bytes('wait') });
    await expect.poll(() => f.gate.waiters).toBe(1);
    const stopped = f.server.stop(); // drains: the waiting request is still answered
    const ready = await f.get('/readyz');
    expect(ready.status).toBe(503);
    expect(await json(ready)).toEqual({ status: 'not accepting' });
    expect((await f.get('/healthz')).status).toBe(200);
    f.gate.open();
    expect(Buffer.from((await answer).data).toString()).toBe('wait');
    await stopped;
  });

  it('reports status, pages sessions with a clamped limit and lists rooms', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    const clients = [await f.connect(), await f.connect(), await f.connect()];
    await clients[0].request(EchoReq, { data: bytes('room:lobby') });
    await clients[1].request(EchoReq, { data: bytes('room:lobby') });
    await clients[2].request(EchoReq, { data: bytes('room:arena') });

    const status = await json(f.get('/api/status'));
    expect(status).toMatchObject({ engine, accepting: true, sessions: 3, rooms: 2 });
    expect(status.closeReasons).toHaveProperty('kicked', 0);

    const page = await json(f.get('/api/sessions?limit=2'));
    expect(page).toMatchObject({ total: 3, offset: 0, limit: 2 });
    expect(page.sessions).toHaveLength(2);
    expect(page.sessions[0]).toMatchObject({ id: clients[0].sessionId, phase: 'open', rooms: ['lobby'] });
    const rest = await json(f.get('/api/sessions?offset=2&limit=2'));
    expect(rest.sessions.map((s: { id: number }) => s.id)).toEqual([clients[2].sessionId]);
    expect((await json(f.get('/api/sessions?limit=100000'))).limit).toBe(500);
    expect((await json(f.get('/api/sessions?limit=0'))).limit).toBe(1);
    const bad = await f.get('/api/sessions?limit=lots');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ error: 'limit must be an integer, got lots' });

    const rooms = await json(f.get('/api/rooms'));
    expect(rooms.rooms).toEqual([
      { id: 'lobby', type: 'plain', members: 2 },
      { id: 'arena', type: 'plain', members: 1 },
    ]);
  });

  it('kicks one session with a reason and leaves the others alone', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    const victim = await f.connect();
    const bystander = await f.connect();
    const response = await f.post(`/api/sessions/${victim.sessionId}/kick`, { reason: 'cheating' });
    expect(await json(response)).toEqual({ kicked: victim.sessionId, reason: 'cheating' });
    await expect.poll(() => victim.connected).toBe(false);
    expect(victim.kickReason).toBe('cheating');
    expect(bystander.connected).toBe(true);
    expect(Buffer.from((await bystander.request(EchoReq, { data: bytes('hi') })).data).toString()).toBe('hi');

    expect((await f.post('/api/sessions/999999/kick', {})).status).toBe(404);
    expect((await f.post(`/api/sessions/${bystander.sessionId}/kick`, { reason: 7 })).status).toBe(400);
    expect((await f.get(`/api/sessions/${bystander.sessionId}/kick`)).status).toBe(405);
    const notJson = await fetch(`${f.admin}/api/sessions/${bystander.sessionId}/kick`, {
      method: 'POST',
      body: '{"reason":',
    });
    expect(notJson.status).toBe(400);
    expect(bystander.connected).toBe(true);
    await expect
      .poll(async () =>
        sampleValue(await (await f.get('/metrics')).text(), 'fastport_session_closes_total{reason="kicked"}'),
      )
      .toBe(1);
  });

  it('pushes a notice to every open session', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    const clients = [await f.connect(), await f.connect()];
    const received = clients.map(
      (client) => new Promise<string>((resolve) => client.on(Notice, (n) => resolve(n.text))),
    );
    const response = await f.post('/api/notice', { text: 'restart in 5 minutes' });
    expect(await json(response)).toEqual({ delivered: 2 });
    expect(await Promise.all(received)).toEqual(['restart in 5 minutes', 'restart in 5 minutes']);
    expect((await f.post('/api/notice', { text: '  ' })).status).toBe(400);
    expect((await f.get('/api/nothing')).status).toBe(404);
  });

  it('keeps a per-second history with message rates and handler percentiles', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    const client = await f.connect();
    await expect
      .poll(
        async () => {
          await Promise.all(Array.from({ length: 20 }, () => client.request(EchoReq, { data: bytes('x') })));
          const { samples } = await json(f.get('/api/history'));
          return samples.some(
            (s: { msgsInPerSec: number; p99Ms: number | null }) => s.msgsInPerSec > 0 && s.p99Ms !== null,
          );
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    const { samples } = await json(f.get('/api/history'));
    const busy = samples.find((s: { handledPerSec: number }) => s.handledPerSec > 0);
    expect(busy.p50Ms).toBeGreaterThan(0);
    expect(busy.p99Ms).toBeGreaterThanOrEqual(busy.p50Ms);
    const later = await json(f.get(`/api/history?since=${samples[samples.length - 1].t}`));
    expect(later.samples.every((s: { t: number }) => s.t > samples[samples.length - 1].t)).toBe(true);
  });
});

describe('admin token', () => {
  let fixture: AdminFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('refuses /metrics and /api without the right bearer token, counts it, and leaves health checks open', async () => {
    const token = 'a-very-secret-admin-token';
    fixture = await startAdminServer('node', { admin: { port: 0, token } });
    const f = fixture;
    const missing = await f.get('/metrics');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await f.get('/api/status', 'wrong-token')).status).toBe(401);
    expect((await f.post('/api/notice', { text: 'x' }, 'a-very-secret-admin-tokeN')).status).toBe(401);
    expect((await f.get('/healthz')).status).toBe(200);
    expect((await f.get('/readyz')).status).toBe(200);
    expect((await f.get('/')).status).toBe(200); // the page itself holds no data
    const metrics = await f.get('/metrics', token);
    expect(metrics.status).toBe(200);
    expect(sampleValue(await metrics.text(), 'fastport_admin_auth_failures_total')).toBe(3);
  });
});
