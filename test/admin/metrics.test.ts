import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoReq } from '../../samples/echo/generated/packets';
import { RawConnection } from '../framework/support/raw-connection';
import { Hello, HELLO_MAGIC, PROTOCOL_VERSION } from '../../framework/protocol/framework-messages';
import { Buckets, HANDLER_BUCKETS } from '../../framework/admin/metrics/buckets';
import { HandlerTurns, TIMED_INTERVAL_MS } from '../../framework/admin/metrics/handler-turns';
import { runnableEngines } from '../support/engines';
import { type AdminFixture, sampleValue, startAdminServer } from './support/fixture';

const PROMTOOL = '/usr/bin/promtool';
const havePromtool = existsSync(PROMTOOL);
if (!havePromtool && process.env.CI === 'true') throw new Error(`${PROMTOOL} is missing under CI=true`);

/** Opens a raw connection past the handshake (the server answers Hello with Welcome). */
async function handshaken(port: number): Promise<RawConnection> {
  const raw = await RawConnection.open(port);
  raw.send(
    Hello.id,
    1,
    Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion: PROTOCOL_VERSION })),
  );
  await raw.frame(2);
  return raw;
}

describe.each(runnableEngines('FASTPORT_TEST_ENGINES'))('metrics on %s', (engine) => {
  let fixture: AdminFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('counts handler turns per message type, traffic, rooms, closes and protocol errors', async () => {
    fixture = await startAdminServer(engine);
    const f = fixture;
    const client = await f.connect();
    for (let i = 0; i < 5; i++)
      await client.request(EchoReq, { data: Buffer.from(i === 0 ? 'room:lobby' : 'x') });
    const raw = await handshaken(f.port);
    raw.send(EchoReq.id, 9, Uint8Array.from([0x0a, 0xff])); // a bytes field longer than the payload
    expect(await raw.closed).toBe('peer_closed');
    await raw.shutdown();

    const text = await (await f.get('/metrics')).text();
    const value = (series: string) => sampleValue(text, series);
    expect(value('fastport_handler_duration_seconds_count{message="echo.EchoReq"}')).toBe(5);
    expect(value('fastport_handler_duration_seconds_bucket{le="+Inf",message="echo.EchoReq"}')).toBe(5);
    expect(value('fastport_sessions{phase="open"}')).toBe(1);
    expect(value('fastport_rooms')).toBe(1);
    expect(value('fastport_room_members')).toBe(1);
    expect(value('fastport_protocol_errors_total{kind="bad_payload"}')).toBe(1);
    expect(value('fastport_session_closes_total{reason="protocol_error"}')).toBe(1);
    expect(value('fastport_frames_received_total')).toBeGreaterThanOrEqual(8); // 2 Hello + 5 + 1
    expect(value('fastport_bytes_sent_total')).toBeGreaterThan(0);
    expect(value(`fastport_engine_info{engine="${engine}"}`)).toBe(1);
    expect(value('fastport_transport_accepted_total')).toBe(2);
    expect(text).toMatch(/^fastport_process_cpu_seconds_total /m);
    expect(text).toMatch(/^fastport_nodejs_eventloop_lag_p99_seconds /m);
    // Bounded labels: no series carries a session id or an address.
    expect(text).not.toMatch(/session=|remote=|127\.0\.0\.1/);
  });

  it.skipIf(!havePromtool)('passes promtool check metrics (Debian prometheus)', async () => {
    fixture = await startAdminServer(engine);
    const client = await fixture.connect();
    await client.request(EchoReq, { data: Buffer.from('x') });
    const text = await (await fixture.get('/metrics')).text();
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, problems: check.stdout + check.stderr }).toEqual({
      status: 0,
      problems: '',
    });
  });
});

describe('log flooding', () => {
  let fixture: AdminFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('writes one line for the first bad payload and a count for the rest when the interval ends', async () => {
    fixture = await startAdminServer('node');
    const f = fixture;
    const sessions = 30;
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        const raw = await handshaken(f.port);
        raw.send(EchoReq.id, 2, Uint8Array.from([0x0a, 0xff]));
        await raw.closed;
        await raw.shutdown();
      }),
    );
    await expect
      .poll(async () =>
        sampleValue(
          await (await f.get('/metrics')).text(),
          'fastport_protocol_errors_total{kind="bad_payload"}',
        ),
      )
      .toBe(sessions);
    const badPayloadLines = () => f.log.lines.filter((line) => line.event === 'bad_payload');
    expect(badPayloadLines()).toHaveLength(1);
    await f.server.stop(); // stop writes the summaries of the interval so far
    const lines = badPayloadLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ suppressed: sessions - 1, intervalMs: 10_000 });
    expect(String(lines[1].msg)).toMatch(/^bad_payload: 29 more in the last 10 s/);
  });
});

describe('handler time quantiles', () => {
  it('interpolates inside the bucket as histogram_quantile does, and has none without observations', () => {
    const buckets = new Buckets();
    expect(buckets.quantile(0.5)).toBeUndefined();
    for (let i = 0; i < 99; i++) buckets.observe(0.0003); // (0.00025, 0.0005]
    buckets.observe(20); // past the last bound: +Inf
    expect(buckets.quantile(0.5)).toBeCloseTo(0.00025 + 0.00025 * (50 / 99), 9);
    expect(buckets.quantile(1)).toBe(10);
    const later = buckets.copy();
    buckets.observe(0.002);
    expect(buckets.since(later).quantile(0.99)).toBeCloseTo(0.001 + 0.0015 * 0.99, 9);
  });
});

/** One handler turn through a recorder, as the frame pipeline makes it; `workMs` of busy work inside. */
function turn(turns: HandlerTurns, workMs = 0): void {
  const started = turns.begin();
  if (workMs > 0) {
    const until = performance.now() + workMs;
    while (performance.now() < until); // the handler's work
  }
  if (started >= 0) turns.ended(started);
}

function bucketTotal(turns: HandlerTurns): number {
  return turns.buckets.counts.reduce((sum, count) => sum + count, 0);
}

describe('handler turn timing', () => {
  it('counts every turn but reads the clock for only some of many fast ones', () => {
    const turns = new HandlerTurns();
    for (let i = 0; i < 100_000; i++) turn(turns);
    expect(turns.buckets.count).toBe(100_000);
    expect(bucketTotal(turns)).toBe(100_000);
    expect(turns.timedTurns).toBeGreaterThan(0);
    expect(turns.timedTurns).toBeLessThan(100_000 / 4);
  });

  it('has every untimed turn in the buckets whenever they are read, between timed turns too', () => {
    const turns = new HandlerTurns();
    for (let i = 1; i <= 20_000; i++) {
      turn(turns);
      if (i % 997 === 0) {
        expect(turns.buckets.count).toBe(i);
        expect(bucketTotal(turns)).toBe(i);
      }
    }
    expect(turns.timedTurns).toBeLessThan(20_000 / 4); // so most reads above fell between timed turns
  });

  it('times every turn of a handler slower than the sampling interval, also after a fast burst', () => {
    const turns = new HandlerTurns();
    for (let i = 0; i < 10_000; i++) turn(turns);
    turns.timeNext(); // the resample tick
    for (let i = 0; i < 5; i++) turn(turns, 2 * TIMED_INTERVAL_MS);
    turns.timeNext();
    const timedBefore = turns.timedTurns;
    const slowBucketsBefore = turns.buckets.counts.slice();
    for (let i = 0; i < 20; i++) turn(turns, 2 * TIMED_INTERVAL_MS);
    expect(turns.timedTurns - timedBefore).toBe(20);
    expect(turns.buckets.count).toBe(10_025);
    // all 20 lie above the slow turns' lower bound (0.2 ms > the 0.0001 s bound)
    const firstSlow = HANDLER_BUCKETS.findIndex((bound) => bound >= (2 * TIMED_INTERVAL_MS) / 1000);
    let slowAdded = 0;
    for (let i = firstSlow; i < turns.buckets.counts.length; i++)
      slowAdded += turns.buckets.counts[i] - slowBucketsBefore[i];
    expect(slowAdded).toBe(20);
  });
});
