import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoReq } from '../../samples/echo/generated/packets';
import { RawConnection } from '../framework/support/raw-connection';
import { Hello, HELLO_MAGIC, PROTOCOL_VERSION } from '../../framework/protocol/framework-messages';
import { Buckets } from '../../framework/admin/metrics/handler-histogram';
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
